package io.github.reactorpatterns.spring.boot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.reactorpatterns.http.PooledHttpClient;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code reactor-patterns.*} properties: one map per kind of bean, keyed by the name the bean is injected with.
 *
 * <pre>
 * reactor-patterns:
 *   semaphores:
 *     partner-api: { permits: 10 }
 *   token-buckets:
 *     partner-api: { rate: 50, per: 1s, burst: 10 }
 *   retry-policies:
 *     partner-api: { max-retries: 3, first-backoff: 100ms, max-retry-after: 5s }
 *   http-clients:
 *     partner-api:
 *       base-url: https://partner.example.com
 *       concurrency-limit: partner-api   # the semaphore above
 *       rate-limit: partner-api          # the token bucket above
 *       retry: partner-api               # the retry policy above
 *   web-clients:
 *     partner-api: { base-url: https://partner.example.com, bulkhead: partner-api, rate-limit: partner-api }
 *   deadline: { header: X-Request-Deadline-Ms, max: 10s }
 *   shutdown: { grace: 20s }
 * </pre>
 *
 * <p>Durations use Spring Boot's format ({@code 500ms}, {@code 2s}, {@code 1m}, or ISO-8601 {@code PT2S}); a bare
 * number is milliseconds. A setting left out keeps the builder's documented default. Immutable.
 *
 * @param semaphores the {@link io.github.reactorpatterns.limit.AsyncSemaphore}s by name
 * @param tokenBuckets the {@link io.github.reactorpatterns.limit.TokenBucket}s by name
 * @param retryPolicies the {@link io.github.reactorpatterns.retry.RetryPolicy}s by name
 * @param httpClients the {@link PooledHttpClient}s by name
 * @param webClients the {@code WebClient}s with the reactor-patterns filters, by name
 * @param deadline how a request deadline arrives in a header and leaves with outgoing calls
 * @param shutdown how background work is drained when the application stops
 * @param backgroundTasks the default {@link io.github.reactorpatterns.lifecycle.BackgroundTasks} bean
 */
@ConfigurationProperties(prefix = "reactor-patterns")
public record ReactorPatternsProperties(
        @DefaultValue Map<String, Semaphore> semaphores,
        @DefaultValue Map<String, TokenBucket> tokenBuckets,
        @DefaultValue Map<String, Retry> retryPolicies,
        @DefaultValue Map<String, HttpClient> httpClients,
        @DefaultValue Map<String, WebClient> webClients,
        @DefaultValue DeadlineHeader deadline,
        @DefaultValue Shutdown shutdown,
        @DefaultValue BackgroundTasks backgroundTasks) {

    /** The header that carries the remaining budget in milliseconds, when {@code deadline.header} is not set. */
    public static final String DEFAULT_DEADLINE_HEADER = "X-Request-Deadline-Ms";

    /**
     * Creates the properties; missing maps become empty.
     *
     * @param semaphores the semaphores by name
     * @param tokenBuckets the token buckets by name
     * @param retryPolicies the retry policies by name
     * @param httpClients the HTTP clients by name
     * @param webClients the WebClients by name
     * @param deadline the deadline header settings
     * @param shutdown the shutdown settings
     * @param backgroundTasks the default background task registry settings
     */
    public ReactorPatternsProperties {
        semaphores = semaphores == null ? Map.of() : Map.copyOf(semaphores);
        tokenBuckets = tokenBuckets == null ? Map.of() : Map.copyOf(tokenBuckets);
        retryPolicies = retryPolicies == null ? Map.of() : Map.copyOf(retryPolicies);
        httpClients = httpClients == null ? Map.of() : Map.copyOf(httpClients);
        webClients = webClients == null ? Map.of() : Map.copyOf(webClients);
        deadline = deadline == null
                ? new DeadlineHeader(true, DEFAULT_DEADLINE_HEADER, Duration.ofSeconds(30), null)
                : deadline;
        shutdown = shutdown == null
                ? new Shutdown(Duration.ofSeconds(30), ReactorPatternsShutdown.DEFAULT_PHASE)
                : shutdown;
        backgroundTasks = backgroundTasks == null ? new BackgroundTasks(true) : backgroundTasks;
    }

    /**
     * An {@link io.github.reactorpatterns.limit.AsyncSemaphore}: a bulkhead shared by every caller that injects it.
     *
     * @param permits the number of permits, {@code > 0}
     * @param maxWaiters the most callers that may wait for a permit (more fail at once); unbounded when not set
     * @param fair whether waiters are served strictly first come, first served (default {@code true})
     */
    public record Semaphore(
            int permits,
            @Nullable Integer maxWaiters,
            @DefaultValue("true") boolean fair) {}

    /**
     * A {@link io.github.reactorpatterns.limit.TokenBucket}: {@code rate} tokens every {@code per}.
     *
     * @param rate how many tokens are added every {@code per}, {@code > 0}
     * @param per the period of {@code rate} (default {@code 1s})
     * @param burst the most tokens the bucket holds; defaults to the builder's (one period's worth)
     * @param initiallyFull whether the bucket starts full; defaults to the builder's
     */
    public record TokenBucket(
            long rate,
            @DefaultValue("1s") Duration per,
            @Nullable Integer burst,
            @Nullable Boolean initiallyFull) {}

    /**
     * A {@link io.github.reactorpatterns.retry.RetryPolicy}.
     *
     * @param maxRetries the most retries after the first attempt (default 3)
     * @param firstBackoff the delay before the first retry (default {@code 200ms})
     * @param fixed {@code true} for a fixed delay without jitter instead of exponential backoff (default
     *         {@code false})
     * @param maxBackoff the longest backoff; unbounded when not set
     * @param multiplier the growth factor of the backoff; defaults to the policy's
     * @param jitter the jitter factor between 0 and 1; defaults to the policy's
     * @param maxElapsed the longest time from the first attempt within which a retry may start; unbounded when not
     *         set
     * @param maxRetryAfter the longest server-directed {@code Retry-After} wait accepted; defaults to the policy's
     * @param retryOn the error types that are retried (each with its subclasses); every error when empty
     * @param pauseOnRetryAfter the name of a token bucket paused for a server's {@code Retry-After}, so that every
     *         caller sharing it waits, not only the one that was told
     */
    public record Retry(
            @DefaultValue("3") int maxRetries,
            @DefaultValue("200ms") Duration firstBackoff,
            @DefaultValue("false") boolean fixed,
            @Nullable Duration maxBackoff,
            @Nullable Double multiplier,
            @Nullable Double jitter,
            @Nullable Duration maxElapsed,
            @Nullable Duration maxRetryAfter,
            @DefaultValue List<Class<? extends Throwable>> retryOn,
            @Nullable String pauseOnRetryAfter) {

        /**
         * Creates the settings; a missing {@code retryOn} becomes empty.
         *
         * @param maxRetries the most retries
         * @param firstBackoff the first delay
         * @param fixed fixed delay instead of exponential backoff
         * @param maxBackoff the longest backoff, or null
         * @param multiplier the growth factor, or null
         * @param jitter the jitter factor, or null
         * @param maxElapsed the total time cap, or null
         * @param maxRetryAfter the longest accepted Retry-After, or null
         * @param retryOn the retried error types
         * @param pauseOnRetryAfter the token bucket to pause, or null
         */
        public Retry {
            retryOn = retryOn == null ? List.of() : List.copyOf(retryOn);
        }
    }

    /**
     * A {@link PooledHttpClient}: every setting of its builder. Limits and retries name beans defined in the other
     * maps (or by the application) rather than repeating their settings, so that several clients can share them.
     *
     * @param baseUrl the base URL relative request URIs resolve against
     * @param defaultHeaders headers sent with every request
     * @param maxConnections the most pooled connections
     * @param pendingAcquireMaxCount the most requests waiting for a connection
     * @param pendingAcquireTimeout how long a request waits for a connection
     * @param maxIdleTime how long an idle connection is kept
     * @param maxLifeTime how long a connection is kept at most
     * @param evictInBackground how often idle and expired connections are closed in the background
     * @param connectTimeout the TCP connect timeout
     * @param responseTimeout the longest wait for the response headers
     * @param readTimeout the longest gap between two reads
     * @param writeTimeout the longest gap between two writes
     * @param protocol the HTTP version
     * @param followRedirects whether redirects are followed
     * @param maxResponseBytes the largest aggregated body
     * @param maxLineLength the longest line of a streamed line-based body
     * @param insecureTrustAllForTesting trust every server certificate; for tests only
     * @param retry the name of the retry policy applied to each request
     * @param rateLimit the name of the token bucket each request takes a token from
     * @param concurrencyLimit the name of the semaphore each request holds a permit of
     */
    public record HttpClient(
            @Nullable String baseUrl,
            @DefaultValue Map<String, String> defaultHeaders,
            @Nullable Integer maxConnections,
            @Nullable Integer pendingAcquireMaxCount,
            @Nullable Duration pendingAcquireTimeout,
            @Nullable Duration maxIdleTime,
            @Nullable Duration maxLifeTime,
            @Nullable Duration evictInBackground,
            @Nullable Duration connectTimeout,
            @Nullable Duration responseTimeout,
            @Nullable Duration readTimeout,
            @Nullable Duration writeTimeout,
            PooledHttpClient.@Nullable Protocol protocol,
            @Nullable Boolean followRedirects,
            @Nullable Integer maxResponseBytes,
            @Nullable Integer maxLineLength,
            @DefaultValue("false") boolean insecureTrustAllForTesting,
            @Nullable String retry,
            @Nullable String rateLimit,
            @Nullable String concurrencyLimit) {

        /**
         * Creates the settings; missing default headers become empty.
         *
         * @param baseUrl the base URL, or null
         * @param defaultHeaders the default headers
         * @param maxConnections the pool size, or null
         * @param pendingAcquireMaxCount the pool's wait queue bound, or null
         * @param pendingAcquireTimeout the pool's acquire timeout, or null
         * @param maxIdleTime the idle time, or null
         * @param maxLifeTime the life time, or null
         * @param evictInBackground the eviction interval, or null
         * @param connectTimeout the connect timeout, or null
         * @param responseTimeout the response timeout, or null
         * @param readTimeout the read timeout, or null
         * @param writeTimeout the write timeout, or null
         * @param protocol the protocol, or null
         * @param followRedirects whether to follow redirects, or null
         * @param maxResponseBytes the body cap, or null
         * @param maxLineLength the line cap, or null
         * @param insecureTrustAllForTesting whether to trust every certificate
         * @param retry the retry policy name, or null
         * @param rateLimit the token bucket name, or null
         * @param concurrencyLimit the semaphore name, or null
         */
        public HttpClient {
            defaultHeaders = defaultHeaders == null ? Map.of() : Map.copyOf(defaultHeaders);
        }
    }

    /**
     * A {@code WebClient} built from Boot's {@code WebClient.Builder} with the reactor-patterns exchange filters,
     * outermost first: deadline propagation, bulkhead, rate limit, retry.
     *
     * @param baseUrl the base URL relative request URIs resolve against
     * @param bulkhead the name of the semaphore whose permit each exchange holds until its body is consumed
     * @param rateLimit the name of the token bucket each exchange (and each retry) takes a token from, after the
     *         permit
     * @param retry the name of the retry policy for the statuses in {@code retryStatuses} and for request errors
     * @param retryStatuses the response statuses that are retried (default 429, 502, 503, 504)
     * @param retryNonIdempotent whether POST and PATCH are retried too (default {@code false})
     * @param propagateDeadline whether the remaining deadline budget is sent downstream (default {@code true})
     */
    public record WebClient(
            @Nullable String baseUrl,
            @Nullable String bulkhead,
            @Nullable String rateLimit,
            @Nullable String retry,
            @DefaultValue({"429", "502", "503", "504"}) Set<Integer> retryStatuses,
            @DefaultValue("false") boolean retryNonIdempotent,
            @DefaultValue("true") boolean propagateDeadline) {

        /**
         * Creates the settings; missing statuses become the defaults.
         *
         * @param baseUrl the base URL, or null
         * @param bulkhead the semaphore name, or null
         * @param rateLimit the token bucket name, or null
         * @param retry the retry policy name, or null
         * @param retryStatuses the retried statuses
         * @param retryNonIdempotent whether to retry POST and PATCH
         * @param propagateDeadline whether to send the remaining budget
         */
        public WebClient {
            retryStatuses = retryStatuses == null ? Set.of(429, 502, 503, 504) : Set.copyOf(retryStatuses);
        }
    }

    /**
     * The request deadline header: read by a {@code WebFilter} into the Reactor {@code Context} as a
     * {@link io.github.reactorpatterns.time.Deadline}, and sent by the WebClient filter with the budget left.
     *
     * @param enabled whether the server reads the header (default {@code true})
     * @param header the header name (default {@value ReactorPatternsProperties#DEFAULT_DEADLINE_HEADER}); its value
     *         is the budget left in milliseconds, relative, so that clocks need not agree
     * @param max the largest budget the server grants, whatever the header asks (default {@code 30s})
     * @param defaultBudget the budget of a request without the header; none when not set
     */
    public record DeadlineHeader(
            @DefaultValue("true") boolean enabled,
            @DefaultValue(DEFAULT_DEADLINE_HEADER) String header,
            @DefaultValue("30s") Duration max,
            @Nullable Duration defaultBudget) {}

    /**
     * The shutdown drain.
     *
     * @param grace how long queued jobs and background tasks may go on when the application stops before the rest
     *         are cancelled (default {@code 30s}); keep it within {@code spring.lifecycle.timeout-per-shutdown-phase}
     * @param phase the {@code SmartLifecycle} phase of the drain (default
     *         {@link ReactorPatternsShutdown#DEFAULT_PHASE})
     */
    public record Shutdown(
            @DefaultValue("30s") Duration grace,

            @DefaultValue("" + ReactorPatternsShutdown.DEFAULT_PHASE)
            int phase) {}

    /**
     * The default {@link io.github.reactorpatterns.lifecycle.BackgroundTasks} bean.
     *
     * @param enabled whether a {@code BackgroundTasks} bean is defined when the application has none (default
     *         {@code true})
     */
    public record BackgroundTasks(@DefaultValue("true") boolean enabled) {}
}
