package io.github.reactorpatterns.spring.boot.web;

import java.util.Objects;
import java.util.Set;

import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.spring.boot.ReactorPatternsProperties;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Adds the {@link ReactorPatternsFilters} to a {@code WebClient.Builder} in the right order: deadline propagation,
 * bulkhead, retry, rate limit (see {@link ReactorPatternsFilters} for why).
 *
 * <p>Opt-in per client: do not declare it as a bean, which Spring Boot would apply to every {@code WebClient.Builder}
 * of the application; apply it to the builder of the client it is meant for, or let the
 * {@code reactor-patterns.web-clients.<name>} properties build a named {@code WebClient} with it.
 *
 * <pre>{@code
 * WebClient partner = builder.clone()
 *         .apply(ReactorPatternsWebClientCustomizer.builder().bulkhead(semaphore).rateLimit(bucket)
 *                 .retry(policy).build()::customize)
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; it may customize any number of builders.
 */
public final class ReactorPatternsWebClientCustomizer implements WebClientCustomizer {

    private final @Nullable PermitSource bulkhead;
    private final @Nullable RateLimiter rateLimit;
    private final @Nullable RetryPolicy retry;
    private final Set<Integer> retryStatuses;
    private final boolean retryNonIdempotent;
    private final @Nullable String deadlineHeader;

    private ReactorPatternsWebClientCustomizer(Builder builder) {
        this.bulkhead = builder.bulkhead;
        this.rateLimit = builder.rateLimit;
        this.retry = builder.retry;
        this.retryStatuses = builder.retryStatuses;
        this.retryNonIdempotent = builder.retryNonIdempotent;
        this.deadlineHeader = builder.deadlineHeader;
    }

    /**
     * Starts a customizer that, until configured, only propagates the deadline in the
     * {@value ReactorPatternsProperties#DEFAULT_DEADLINE_HEADER} header.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the configured filters to {@code webClientBuilder}, after the filters it already has.
     *
     * @param webClientBuilder the builder to customize
     * @throws NullPointerException if {@code webClientBuilder} is null
     */
    @Override
    public void customize(WebClient.Builder webClientBuilder) {
        Objects.requireNonNull(webClientBuilder, "webClientBuilder");
        if (deadlineHeader != null) {
            webClientBuilder.filter(ReactorPatternsFilters.deadlinePropagation(deadlineHeader));
        }
        if (bulkhead != null) {
            webClientBuilder.filter(ReactorPatternsFilters.bulkhead(bulkhead));
        }
        if (retry != null) {
            webClientBuilder.filter(ReactorPatternsFilters.retry(retry, retryStatuses, retryNonIdempotent));
        }
        if (rateLimit != null) {
            webClientBuilder.filter(ReactorPatternsFilters.rateLimit(rateLimit));
        }
    }

    @Override
    public String toString() {
        return "ReactorPatternsWebClientCustomizer[bulkhead=" + bulkhead + ", rateLimit=" + rateLimit + ", retry="
                + retry + ", retryStatuses=" + retryStatuses + ", deadlineHeader=" + deadlineHeader + "]";
    }

    /** Collects the filters' settings; reusable, {@link #build()} copies. Not thread-safe. */
    public static final class Builder {

        private @Nullable PermitSource bulkhead;
        private @Nullable RateLimiter rateLimit;
        private @Nullable RetryPolicy retry;
        private Set<Integer> retryStatuses = ReactorPatternsFilters.DEFAULT_RETRY_STATUSES;
        private boolean retryNonIdempotent;
        private @Nullable String deadlineHeader = ReactorPatternsProperties.DEFAULT_DEADLINE_HEADER;

        private Builder() {}

        /**
         * Holds a permit of {@code permits} per exchange until its body is consumed; none by default.
         *
         * @param permits the shared permit source
         * @return this builder
         * @throws NullPointerException if {@code permits} is null
         */
        public Builder bulkhead(PermitSource permits) {
            this.bulkhead = Objects.requireNonNull(permits, "permits");
            return this;
        }

        /**
         * Takes a token of {@code limiter} per attempt, after the bulkhead permit; none by default.
         *
         * @param limiter the shared rate limiter
         * @return this builder
         * @throws NullPointerException if {@code limiter} is null
         */
        public Builder rateLimit(RateLimiter limiter) {
            this.rateLimit = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /**
         * Retries the {@link #retryStatuses(Set) retry statuses} and failed exchanges under {@code policy}; no retry
         * by default.
         *
         * @param policy the retry policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The statuses that are retried; default {@link ReactorPatternsFilters#DEFAULT_RETRY_STATUSES}.
         *
         * @param statuses the statuses
         * @return this builder
         * @throws NullPointerException if {@code statuses} is null
         */
        public Builder retryStatuses(Set<Integer> statuses) {
            this.retryStatuses = Set.copyOf(Objects.requireNonNull(statuses, "statuses"));
            return this;
        }

        /**
         * Whether {@code POST} and {@code PATCH} are retried too; default {@code false}.
         *
         * @param retry {@code true} to retry every method
         * @return this builder
         */
        public Builder retryNonIdempotent(boolean retry) {
            this.retryNonIdempotent = retry;
            return this;
        }

        /**
         * The header the remaining deadline budget is sent in, or {@code null} not to send it; default
         * {@value ReactorPatternsProperties#DEFAULT_DEADLINE_HEADER}.
         *
         * @param header the header name, or {@code null}
         * @return this builder
         */
        public Builder deadlineHeader(@Nullable String header) {
            this.deadlineHeader = header;
            return this;
        }

        /**
         * Creates the customizer.
         *
         * @return a new customizer with the current settings
         */
        public ReactorPatternsWebClientCustomizer build() {
            return new ReactorPatternsWebClientCustomizer(this);
        }
    }
}
