package io.github.reactorpatterns.http;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.retry.RetryAttempt;
import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryPolicy;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The immutable settings a builder hands to a client. {@code configuredHeaders} are the default headers as the
 * builder was given them, {@code defaultHeaders} the ones sent (with the default {@code User-Agent} unless one was
 * configured); the lists are immutable copies.
 */
record Settings(
        String name,
        @Nullable String baseUrl,
        List<NameValue> configuredHeaders,
        List<NameValue> defaultHeaders,
        int maxConnections,
        int pendingAcquireMaxCount,
        Duration pendingAcquireTimeout,
        Duration maxIdleTime,
        Duration maxLifeTime,
        Duration evictionInterval,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        PooledHttpClient.Protocol protocol,
        boolean trustAll,
        X509Certificate @Nullable [] trustedCertificates,
        boolean followRedirects,
        int maxRedirects,
        boolean allowHttpsToHttpRedirects,
        boolean nettyMetrics,
        Function<String, String> uriTagValue,
        int maxResponseBytes,
        int maxLineLength,
        @Nullable JsonCodec codec,
        @Nullable Scheduler scheduler,
        @Nullable RetryPolicy retryPolicy,
        @Nullable RetryBudget retryBudget,
        @Nullable Consumer<? super RetryAttempt> onRetry,
        @Nullable RateLimiter rateLimit,
        @Nullable PermitSource concurrencyLimit) {

    static List<NameValue> withUserAgent(List<NameValue> configured) {
        List<NameValue> headers = new ArrayList<>(configured);
        if (headers.stream().noneMatch(kv -> kv.name().equalsIgnoreCase("User-Agent"))) {
            headers.add(new NameValue("User-Agent", PooledHttpClient.DEFAULT_USER_AGENT));
        }
        return List.copyOf(headers);
    }
}
