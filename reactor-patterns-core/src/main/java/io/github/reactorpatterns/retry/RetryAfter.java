package io.github.reactorpatterns.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Implemented by an exception that carries a server-directed delay before the next attempt, such as the value of
 * an HTTP {@code Retry-After} header on a 429 or 503 response (the HTTP module's status exception implements it;
 * parsing the header, seconds or HTTP-date, is that module's job).
 *
 * <p>A {@link RetryPolicy} that meets such an error waits the larger of its own backoff and the hint. A hint longer
 * than the policy's {@link RetryPolicy.Builder#maxRetryAfter(Duration) maxRetryAfter}, or one that would end after
 * its {@link RetryPolicy.Builder#maxElapsed(Duration) maxElapsed} or the caller's
 * {@link io.github.reactorpatterns.time.Deadline}, ends the retries at once with the error itself: no pointless
 * sleep. Only the failing exception itself is asked, not its causes. Errors of types that cannot implement this
 * interface (a framework's own exceptions) are read by a function given to
 * {@link RetryPolicy.Builder#retryAfterHint(java.util.function.Function) retryAfterHint} instead.
 */
public interface RetryAfter {

    /**
     * The delay the server asked for before the next attempt.
     *
     * @return the delay (a negative one counts as zero), or empty if the server gave none
     */
    Optional<Duration> retryAfter();

    /**
     * The hint of an error that implements this interface: how a {@link RetryPolicy} reads hints by default, and
     * the fallback for a custom {@link RetryPolicy.Builder#retryAfterHint(java.util.function.Function)
     * retryAfterHint} function.
     *
     * @param error the error to ask
     * @return the error's {@link #retryAfter()} if it is a {@code RetryAfter} (empty if that returns null), else
     *     empty
     * @throws NullPointerException if {@code error} is null
     */
    static Optional<Duration> of(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (error instanceof RetryAfter retryAfter) {
            Optional<Duration> hint = retryAfter.retryAfter();
            return hint != null ? hint : Optional.empty();
        }
        return Optional.empty();
    }
}
