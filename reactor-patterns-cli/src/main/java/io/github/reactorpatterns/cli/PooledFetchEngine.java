package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import io.github.reactorpatterns.http.HttpFailure;
import io.github.reactorpatterns.http.HttpResult;
import io.github.reactorpatterns.http.HttpTimeoutException;
import io.github.reactorpatterns.http.HttpTransportException;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.http.ResponseTooLargeException;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The fetch engine on {@link PooledHttpClient}: every pattern {@code fetch} needs per request is the client's -
 * {@code rateLimit(TokenBucket)} for {@code --rate}/{@code --burst} (a token per attempt, retries included),
 * {@code concurrencyLimit(AsyncSemaphore)} for {@code --concurrency} (a permit per attempt, not held during a
 * back-off), {@code retry(RetryPolicy)} for {@code --retries} (idempotent methods only, {@code Retry-After}
 * honoured - and, with {@code --rate}, pausing the shared bucket for everyone - stopping at the run's deadline), its split timeouts for {@code --timeout}, and the run's
 * {@link io.github.reactorpatterns.time.Deadline}, which reaches it through the Reactor {@code Context}.
 *
 * <p>With {@code --http2} there is one client per scheme (h2 with ALPN for https, h2c for http), sharing the limits.
 */
final class PooledFetchEngine implements FetchEngine {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    /** Bodies are read whole to count them; larger ones fail as {@code too large}. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final FetchSettings settings;
    private final PooledHttpClient plain;
    private final PooledHttpClient secure;

    PooledFetchEngine(FetchSettings settings) {
        this(settings, null);
    }

    /** With {@code shared}, the limits are the ones shared through Redis ({@code --redis}) instead of local ones. */
    PooledFetchEngine(FetchSettings settings, @Nullable RedisLimits shared) {
        this.settings = settings;
        PermitSource permits;
        RateLimiter bucket;
        if (shared != null) {
            permits = shared.permits();
            bucket = shared.bucket();
        } else {
            permits = AsyncSemaphore.of(settings.concurrency());
            Rate rate = settings.rate();
            bucket = rate == null
                    ? null
                    : TokenBucket.builder()
                            .rate(rate.permits(), rate.period())
                            .burst(settings.burst())
                            .build();
        }
        RetryPolicy retry = RetryPolicy.none();
        if (settings.retries() > 0) {
            RetryPolicy.Builder policy =
                    RetryPolicy.backoff(settings.retries(), FIRST_BACKOFF).maxBackoff(MAX_BACKOFF);
            if (bucket != null) {
                // as the client's default policy does: a Retry-After holds back every request, not just the one told
                policy.pauseOnRetryAfter(bucket);
            }
            retry = policy.build();
        }
        if (settings.http2()) {
            this.plain = client(settings, permits, bucket, retry, PooledHttpClient.Protocol.H2C);
            this.secure = client(settings, permits, bucket, retry, PooledHttpClient.Protocol.H2);
        } else {
            this.plain = client(settings, permits, bucket, retry, PooledHttpClient.Protocol.HTTP_1_1);
            this.secure = plain;
        }
    }

    private static PooledHttpClient client(
            FetchSettings settings,
            PermitSource permits,
            @Nullable RateLimiter bucket,
            RetryPolicy retry,
            PooledHttpClient.Protocol protocol) {
        Duration timeout = settings.timeout();
        PooledHttpClient.Builder b = PooledHttpClient.builder()
                .name("reactor-patterns-fetch-" + protocol.name().toLowerCase(Locale.ROOT))
                .protocol(protocol)
                .maxConnections(settings.concurrency())
                .pendingAcquireTimeout(timeout)
                .connectTimeout(timeout)
                .writeTimeout(timeout)
                .responseTimeout(timeout)
                .readTimeout(timeout)
                .maxResponseBytes(MAX_RESPONSE_BYTES)
                .concurrencyLimit(permits)
                .retry(retry);
        if (bucket != null) {
            b.rateLimit(bucket);
        }
        for (Map.Entry<String, String> header : settings.headers()) {
            b.defaultHeader(header.getKey(), header.getValue());
        }
        return b.build();
    }

    @Override
    public Mono<FetchResult> fetch(UrlList.Entry entry, Track track) {
        PooledHttpClient client = "https".equalsIgnoreCase(entry.uri().getScheme()) ? secure : plain;
        return Mono.deferContextual(context -> {
            if (Deadline.current(context).filter(Deadline::isExpired).isPresent()) {
                return Mono.just(track.cutOff(entry));
            }
            track.started();
            return client.request(settings.method(), entry.uri().toString())
                    .result()
                    .map(r -> success(entry, r))
                    .onErrorResume(e -> Mono.just(failure(entry, track, e)))
                    .doOnNext(r -> track.result = r);
        });
    }

    private static FetchResult success(UrlList.Entry entry, HttpResult r) {
        String url = entry.uri().toString();
        long ms = r.elapsed().toMillis();
        if (r.status() >= 400) {
            Failure f = Failure.status(r.status());
            return new FetchResult(
                    entry.index(), url, r.status(), r.bodyLength(), ms, r.attempts(), f.message(), f.kind());
        }
        return new FetchResult(entry.index(), url, r.status(), r.bodyLength(), ms, r.attempts(), null, null);
    }

    private static FetchResult failure(UrlList.Entry entry, Track track, Throwable error) {
        String url = entry.uri().toString();
        long ms = (System.nanoTime() - track.startNanos) / 1_000_000;
        // the retry policy's exhaustion wraps the last attempt's failure, which counts the attempts as well
        Throwable e = error instanceof RetryExhaustedException exhausted && exhausted.getCause() != null
                ? exhausted.getCause()
                : error;
        if (e instanceof DeadlineExceededException) {
            // The run's deadline: the client's failure counts the attempts, but when the run's own timer fires
            // first it cancels the request, which then reports nothing (Track.cutOff). Which one comes first is a
            // race, so the count is never shown, rather than shown for some of the cut-off URLs only.
            return new FetchResult(entry.index(), url, null, 0, ms, null, "deadline exceeded", KIND_DEADLINE);
        }
        // every failure of the client's own counts its attempts; anything else (a shared limit that failed) did not
        // come from an attempt the client could count
        Integer attempts = e instanceof HttpFailure failure ? failure.attempts() : null;
        if (e instanceof HttpTimeoutException timeout) {
            return new FetchResult(
                    entry.index(),
                    url,
                    null,
                    0,
                    ms,
                    attempts,
                    "timeout: " + timeout.phase().name().toLowerCase(Locale.ROOT) + " took longer than "
                            + DurationText.format(timeout.timeout()),
                    "timeout");
        }
        if (e instanceof ResponseTooLargeException) {
            return new FetchResult(
                    entry.index(),
                    url,
                    null,
                    0,
                    ms,
                    attempts,
                    "too large: the body is over " + MAX_RESPONSE_BYTES / (1024 * 1024) + " MiB",
                    "too large");
        }
        // a network failure is reported by its cause, as the JDK or Netty named it
        Failure f = Failure.of(e instanceof HttpTransportException transport ? transport.getCause() : e);
        return new FetchResult(entry.index(), url, null, 0, ms, attempts, f.message(), f.kind());
    }

    @Override
    public void close() {
        plain.close().block(Duration.ofSeconds(5));
        if (secure != plain) {
            secure.close().block(Duration.ofSeconds(5));
        }
    }
}
