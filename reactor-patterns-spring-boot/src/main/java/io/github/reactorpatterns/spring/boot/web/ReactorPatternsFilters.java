package io.github.reactorpatterns.spring.boot.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.retry.RetryAfter;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.spring.boot.ReactorPatternsProperties;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;

/**
 * {@link ExchangeFilterFunction}s that apply the reactor-patterns limits, retries and deadlines to a Spring
 * {@code WebClient}, the counterpart of {@link io.github.reactorpatterns.http.PooledHttpClient}'s per-request
 * settings.
 *
 * <pre>{@code
 * WebClient partner = builder
 *         .filter(ReactorPatternsFilters.deadlinePropagation())   // outermost: sees the caller's Context
 *         .filter(ReactorPatternsFilters.bulkhead(semaphore))     // a permit first, held across retries
 *         .filter(ReactorPatternsFilters.retry(policy))           // re-sends through the filters below
 *         .filter(ReactorPatternsFilters.rateLimit(bucket))       // innermost: a token per attempt
 *         .build();
 * }</pre>
 *
 * <p>WebClient applies filters in the order they were added, the first one outermost, and a retry re-sends through
 * the filters added after it only. The order above is the one {@link ReactorPatternsWebClientCustomizer} uses: a
 * rate-limit token is taken only after the bulkhead permit, so callers waiting for a permit do not bank tokens and
 * then burst, and every attempt, retries included, takes its own token, so the rate seen by the server holds.
 *
 * <p>Every filter is lazy (nothing happens until the exchange is subscribed), thread-safe, and keeps WebClient's
 * error types.
 */
public final class ReactorPatternsFilters {

    /** The statuses {@link #retry(RetryPolicy)} retries: 429, 502, 503 and 504. */
    public static final Set<Integer> DEFAULT_RETRY_STATUSES = Set.of(429, 502, 503, 504);

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    private ReactorPatternsFilters() {}

    /**
     * Holds a permit of {@code permits} for each exchange, from before the request is sent until the response body
     * has been consumed or released: the bulkhead bounds the requests in flight at the server, not only the ones
     * waiting for headers.
     *
     * <p>The permit is returned exactly once: when the body completes, fails or is cancelled; when the exchange fails
     * (a connect error, a timeout); or when the exchange is cancelled before its response arrives. A caller that
     * waits for a permit and is cancelled leaves the source's queue. A source that refuses (a semaphore with a full
     * wait queue) fails the exchange with its own error, without sending anything.
     *
     * @param permits the shared permit source, such as an {@link io.github.reactorpatterns.limit.AsyncSemaphore}
     * @return the filter
     * @throws NullPointerException if {@code permits} is null
     */
    public static ExchangeFilterFunction bulkhead(PermitSource permits) {
        Objects.requireNonNull(permits, "permits");
        return (request, next) -> permits.acquire().flatMap(permit -> {
            // once the response is handed downstream its body holds the permit; until then this exchange does
            AtomicBoolean handedOver = new AtomicBoolean();
            return next.exchange(request)
                    .map(response -> {
                        handedOver.set(true);
                        return releaseWithBody(response, permit);
                    })
                    .doOnError(error -> permit.release())
                    .doOnCancel(() -> {
                        if (!handedOver.get()) {
                            permit.release();
                        }
                    });
        });
    }

    private static ClientResponse releaseWithBody(ClientResponse response, Permit permit) {
        return response.mutate()
                .body(body -> body.doFinally(signal -> permit.release()))
                .build();
    }

    /**
     * Takes one token of {@code limiter} before each exchange is sent. Added after {@link #retry(RetryPolicy)}, as
     * {@link ReactorPatternsWebClientCustomizer} adds it, every attempt takes its own token.
     *
     * <p>A caller that is cancelled while waiting for a token gives up its reservation. Place it after
     * {@link #bulkhead(PermitSource)} so that the token is taken once the permit is held.
     *
     * @param limiter the shared rate limiter, such as a {@link io.github.reactorpatterns.limit.TokenBucket}
     * @return the filter
     * @throws NullPointerException if {@code limiter} is null
     */
    public static ExchangeFilterFunction rateLimit(RateLimiter limiter) {
        Objects.requireNonNull(limiter, "limiter");
        return (request, next) -> limiter.acquire().then(Mono.defer(() -> next.exchange(request)));
    }

    /**
     * Retries idempotent requests ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code PUT}, {@code DELETE},
     * {@code TRACE}) whose response has one of {@link #DEFAULT_RETRY_STATUSES}, and failed exchanges, under
     * {@code policy}. Same as {@link #retry(RetryPolicy, Set, boolean) retry(policy, DEFAULT_RETRY_STATUSES, false)}.
     *
     * @param policy the retry policy
     * @return the filter
     * @throws NullPointerException if {@code policy} is null
     */
    public static ExchangeFilterFunction retry(RetryPolicy policy) {
        return retry(policy, DEFAULT_RETRY_STATUSES, false);
    }

    /**
     * Retries exchanges under {@code policy}: a response whose status is in {@code statuses} becomes a
     * {@link RetryableWebClientResponseException} (its body read and released), which carries the server's
     * {@code Retry-After} so the policy waits at least that long; errors of the exchange itself (WebClient's
     * {@code WebClientRequestException} for a refused or dropped connection) are offered to the policy as they are.
     * The policy's {@code retryOn}/{@code retryIf} decide what is retried among them.
     *
     * <p>When the policy stops, the last error propagates as the policy makes it (unchanged, or inside a
     * {@link io.github.reactorpatterns.retry.RetryExhaustedException}); a response with another status passes
     * through untouched, so {@code retrieve()} and {@code onStatus} handle it as usual. The policy sees the
     * subscriber's {@code Context}, so a {@link Deadline} there stops retries that could not finish in time.
     *
     * @param policy the retry policy
     * @param statuses the response statuses to retry
     * @param nonIdempotentToo whether {@code POST} and {@code PATCH} are retried too
     * @return the filter
     * @throws NullPointerException if an argument is null
     */
    public static ExchangeFilterFunction retry(RetryPolicy policy, Set<Integer> statuses, boolean nonIdempotentToo) {
        Objects.requireNonNull(policy, "policy");
        Set<Integer> retried = Set.copyOf(Objects.requireNonNull(statuses, "statuses"));
        return (request, next) -> {
            if (!nonIdempotentToo && !IDEMPOTENT.contains(request.method())) {
                return next.exchange(request);
            }
            return Mono.defer(() -> next.exchange(request))
                    .flatMap(response -> retried.contains(response.statusCode().value())
                            ? response.createException().flatMap(ReactorPatternsFilters::retryable)
                            : Mono.just(response))
                    .retryWhen(policy);
        };
    }

    /**
     * Reads a server-directed delay from any error, for a {@link RetryPolicy} applied outside these filters
     * ({@code webClient.get()...retrieve().bodyToMono(...).retryWhen(policy)}): the {@code Retry-After} header of a
     * {@link WebClientResponseException}, else the policy's default ({@link RetryAfter#of(Throwable)}).
     *
     * <pre>{@code
     * RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(100))
     *         .retryAfterHint(ReactorPatternsFilters::retryAfter)
     *         .build();
     * }</pre>
     *
     * @param error the failure
     * @return the delay the server asked for (never negative), or empty
     * @throws NullPointerException if {@code error} is null
     */
    public static Optional<Duration> retryAfter(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (error instanceof WebClientResponseException e && !(error instanceof RetryAfter)) {
            return Optional.ofNullable(RetryableWebClientResponseException.parseRetryAfter(
                    e.getHeaders().getFirst(HttpHeaders.RETRY_AFTER), Instant.now()));
        }
        return RetryAfter.of(error);
    }

    private static Mono<ClientResponse> retryable(WebClientResponseException e) {
        return Mono.error(new RetryableWebClientResponseException(e));
    }

    /**
     * Sends the budget left of the caller's {@link Deadline} downstream in the
     * {@value ReactorPatternsProperties#DEFAULT_DEADLINE_HEADER} header. Same as
     * {@link #deadlinePropagation(String) deadlinePropagation(ReactorPatternsProperties.DEFAULT_DEADLINE_HEADER)}.
     *
     * @return the filter
     */
    public static ExchangeFilterFunction deadlinePropagation() {
        return deadlinePropagation(ReactorPatternsProperties.DEFAULT_DEADLINE_HEADER);
    }

    /**
     * Sends the budget left of the {@link Deadline} in the subscriber's {@code Context} downstream in {@code header},
     * as whole milliseconds (rounded down, at least 1): a relative budget, so that the two machines' clocks need not
     * agree. {@link DeadlineWebFilter} on the other side turns it back into a {@code Deadline}.
     *
     * <p>Without a deadline in the {@code Context} the request is sent unchanged. With one that has already passed,
     * nothing is sent and the exchange fails with a {@link DeadlineExceededException}.
     *
     * @param header the header name
     * @return the filter
     * @throws NullPointerException if {@code header} is null
     */
    public static ExchangeFilterFunction deadlinePropagation(String header) {
        Objects.requireNonNull(header, "header");
        return (request, next) -> Mono.deferContextual(context -> {
            Deadline deadline = Deadline.current(context).orElse(null);
            if (deadline == null) {
                return next.exchange(request);
            }
            Duration left = deadline.timeLeft();
            if (left.isZero() || left.isNegative()) {
                return Mono.error(new DeadlineExceededException(deadline.budget()));
            }
            long millis = Math.max(1, left.toMillis());
            ClientRequest withBudget = ClientRequest.from(request)
                    .headers(headers -> headers.set(header, Long.toString(millis)))
                    .build();
            return next.exchange(withBudget);
        });
    }
}
