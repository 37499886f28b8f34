package io.github.reactorpatterns.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RetryPolicy} decided about one retryable failure: the attempt that failed, the delay chosen, the
 * error and why. A retry ({@link #willRetry()} is {@code true}) is handed to
 * {@link RetryPolicy.Builder#onRetry(java.util.function.Consumer) onRetry}, a decision to stop to
 * {@link RetryPolicy.Builder#onGiveUp(java.util.function.Consumer) onGiveUp}; either is reported when the decision
 * is made, before any wait, and a stop is the last report of that subscription.
 *
 * @param attempt the number of the attempt that failed, starting at 1 for the first subscription; a retry decided
 *     here is retry number {@code attempt}
 * @param delay the wait before the next attempt; for a decision to stop, the wait that was refused (zero when the
 *     retries ran out)
 * @param error the error of the failed attempt, unchanged
 * @param reason why the policy chose this delay, or why it stopped
 */
public record RetryAttempt(long attempt, Duration delay, Throwable error, Reason reason) {

    /**
     * Why a {@link RetryPolicy} waits the delay it chose, or why it stops retrying.
     */
    public enum Reason {
        /** Retries after the exponential backoff (possibly jittered). */
        BACKOFF(true),
        /** Retries after the server-directed delay of a {@link RetryAfter} error, which exceeded the backoff. */
        RETRY_AFTER(true),
        /** Stops: the maximum number of retries has been made; the error becomes a {@link RetryExhaustedException}. */
        RETRIES_EXHAUSTED(false),
        /** Stops: the server asked for a longer wait than the policy's {@code maxRetryAfter}. */
        RETRY_AFTER_TOO_LONG(false),
        /** Stops: the next attempt would start after the policy's {@code maxElapsed}. */
        MAX_ELAPSED(false),
        /** Stops: the next attempt would start at or after the {@code Deadline} in the subscriber's context. */
        DEADLINE(false),
        /** Stops: the shared {@link RetryBudget} has no retry left. */
        BUDGET_EMPTY(false);

        private final boolean retries;

        Reason(boolean retries) {
            this.retries = retries;
        }

        /**
         * Whether this reason leads to another attempt.
         *
         * @return {@code true} for {@link #BACKOFF} and {@link #RETRY_AFTER}
         */
        public boolean retries() {
            return retries;
        }
    }

    /**
     * Creates a report.
     *
     * @param attempt the number of the attempt that failed, at least 1
     * @param delay the delay chosen or refused, not negative
     * @param error the error of the failed attempt
     * @param reason why
     * @throws NullPointerException if {@code delay}, {@code error} or {@code reason} is null
     * @throws IllegalArgumentException if {@code attempt} is below 1 or {@code delay} is negative
     */
    public RetryAttempt {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(reason, "reason");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt >= 1 required but it was " + attempt);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay >= 0 required but it was " + delay);
        }
    }

    /**
     * Whether the policy retries after this failure.
     *
     * @return {@code reason().retries()}
     */
    public boolean willRetry() {
        return reason.retries();
    }
}
