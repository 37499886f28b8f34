package io.github.reactorpatterns.spring.boot;

import java.util.Objects;

import io.github.reactorpatterns.http.Jackson3Codec;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryPolicy;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Defines one bean per entry of {@code reactor-patterns.semaphores}, {@code token-buckets}, {@code retry-policies}
 * and {@code http-clients}. For internal use only.
 */
final class ReactorPatternsBeanRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

    static final String SEMAPHORE = "semaphore";
    static final String TOKEN_BUCKET = "tokenBucket";
    static final String RETRY = "retryPolicy";
    static final String HTTP_CLIENT = "httpClient";

    private static final boolean JACKSON_3 = ClassUtils.isPresent(
            "tools.jackson.databind.json.JsonMapper", ReactorPatternsBeanRegistrar.class.getClassLoader());

    private @Nullable Environment environment;

    ReactorPatternsBeanRegistrar() {}

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        ReactorPatternsProperties properties = NamedBeans.bind(Objects.requireNonNull(environment, "environment"));
        BeanFactory beans = (BeanFactory) registry;
        properties
                .semaphores()
                .forEach((name, settings) -> NamedBeans.register(
                        registry,
                        SEMAPHORE,
                        name,
                        AsyncSemaphore.class,
                        () -> MetricsSupport.PRESENT
                                ? MetricsSupport.semaphore(registry, name, semaphoreBuilder(settings))
                                : semaphoreBuilder(settings).build(),
                        ""));
        properties
                .tokenBuckets()
                .forEach((name, settings) -> NamedBeans.register(
                        registry,
                        TOKEN_BUCKET,
                        name,
                        TokenBucket.class,
                        () -> MetricsSupport.PRESENT
                                ? MetricsSupport.tokenBucket(registry, name, tokenBucketBuilder(settings))
                                : tokenBucketBuilder(settings).build(),
                        ""));
        properties
                .retryPolicies()
                .forEach((name, settings) -> NamedBeans.register(
                        registry,
                        RETRY,
                        name,
                        RetryPolicy.class,
                        () -> MetricsSupport.PRESENT
                                ? MetricsSupport.retryPolicy(registry, name, retryPolicyBuilder(settings, beans))
                                        .build()
                                : retryPolicyBuilder(settings, beans).build(),
                        ""));
        properties
                .httpClients()
                .forEach((name, settings) -> NamedBeans.register(
                        registry,
                        HTTP_CLIENT,
                        name,
                        PooledHttpClient.class,
                        () -> httpClient(name, settings, beans),
                        "dispose"));
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        // every bean was defined in postProcessBeanDefinitionRegistry
    }

    static AsyncSemaphore.Builder semaphoreBuilder(ReactorPatternsProperties.Semaphore settings) {
        AsyncSemaphore.Builder builder =
                AsyncSemaphore.builder(settings.permits()).fair(settings.fair());
        if (settings.maxWaiters() != null) {
            builder.maxWaiters(settings.maxWaiters());
        }
        return builder;
    }

    static TokenBucket.Builder tokenBucketBuilder(ReactorPatternsProperties.TokenBucket settings) {
        TokenBucket.Builder builder = TokenBucket.builder().rate(settings.rate(), settings.per());
        if (settings.burst() != null) {
            builder.burst(settings.burst());
        }
        if (settings.initiallyFull() != null) {
            builder.initiallyFull(settings.initiallyFull());
        }
        return builder;
    }

    @SuppressWarnings("unchecked")
    static RetryPolicy.Builder retryPolicyBuilder(ReactorPatternsProperties.Retry settings, BeanFactory beans) {
        RetryPolicy.Builder builder = settings.fixed()
                ? RetryPolicy.fixed(settings.maxRetries(), settings.firstBackoff())
                : RetryPolicy.backoff(settings.maxRetries(), settings.firstBackoff());
        if (settings.maxBackoff() != null) {
            builder.maxBackoff(settings.maxBackoff());
        }
        if (settings.multiplier() != null) {
            builder.multiplier(settings.multiplier());
        }
        if (settings.jitter() != null) {
            builder.jitter(settings.jitter());
        }
        if (settings.maxElapsed() != null) {
            builder.maxElapsed(settings.maxElapsed());
        }
        if (settings.maxRetryAfter() != null) {
            builder.maxRetryAfter(settings.maxRetryAfter());
        }
        if (!settings.retryOn().isEmpty()) {
            builder.retryOn(settings.retryOn().toArray(new Class[0]));
        }
        if (settings.pauseOnRetryAfter() != null) {
            builder.pauseOnRetryAfter(
                    NamedBeans.resolve(beans, TOKEN_BUCKET, settings.pauseOnRetryAfter(), RateLimiter.class));
        }
        return builder;
    }

    /** Kept apart so that Jackson 3's classes are loaded only when present. */
    static final class Jackson3Support {

        private Jackson3Support() {}

        /** Boot's configured {@code JsonMapper}, when the application has one, decodes the client's JSON. */
        static void useApplicationMapper(PooledHttpClient.Builder builder, BeanFactory beans) {
            JsonMapper mapper = beans.getBeanProvider(JsonMapper.class).getIfUnique();
            if (mapper != null) {
                builder.jsonCodec(Jackson3Codec.of(mapper));
            }
        }
    }

    static PooledHttpClient httpClient(String name, ReactorPatternsProperties.HttpClient s, BeanFactory beans) {
        PooledHttpClient.Builder b = PooledHttpClient.builder().name(name);
        if (s.baseUrl() != null) {
            b.baseUrl(s.baseUrl());
        }
        s.defaultHeaders().forEach(b::defaultHeader);
        if (s.maxConnections() != null) {
            b.maxConnections(s.maxConnections());
        }
        if (s.pendingAcquireMaxCount() != null) {
            b.pendingAcquireMaxCount(s.pendingAcquireMaxCount());
        }
        if (s.pendingAcquireTimeout() != null) {
            b.pendingAcquireTimeout(s.pendingAcquireTimeout());
        }
        if (s.maxIdleTime() != null) {
            b.maxIdleTime(s.maxIdleTime());
        }
        if (s.maxLifeTime() != null) {
            b.maxLifeTime(s.maxLifeTime());
        }
        if (s.evictInBackground() != null) {
            b.evictInBackground(s.evictInBackground());
        }
        if (s.connectTimeout() != null) {
            b.connectTimeout(s.connectTimeout());
        }
        if (s.responseTimeout() != null) {
            b.responseTimeout(s.responseTimeout());
        }
        if (s.readTimeout() != null) {
            b.readTimeout(s.readTimeout());
        }
        if (s.writeTimeout() != null) {
            b.writeTimeout(s.writeTimeout());
        }
        if (s.protocol() != null) {
            b.protocol(s.protocol());
        }
        if (s.followRedirects() != null) {
            b.followRedirects(s.followRedirects());
        }
        if (s.maxResponseBytes() != null) {
            b.maxResponseBytes(s.maxResponseBytes());
        }
        if (s.maxLineLength() != null) {
            b.maxLineLength(s.maxLineLength());
        }
        if (s.insecureTrustAllForTesting()) {
            b.insecureTrustAllForTesting();
        }
        if (JACKSON_3) {
            Jackson3Support.useApplicationMapper(b, beans);
        }
        if (s.retry() != null) {
            b.retry(NamedBeans.resolve(beans, RETRY, s.retry(), RetryPolicy.class));
        }
        if (s.rateLimit() != null) {
            b.rateLimit(NamedBeans.resolve(beans, TOKEN_BUCKET, s.rateLimit(), RateLimiter.class));
        }
        if (s.concurrencyLimit() != null) {
            b.concurrencyLimit(NamedBeans.resolve(beans, SEMAPHORE, s.concurrencyLimit(), PermitSource.class));
        }
        return b.build();
    }
}
