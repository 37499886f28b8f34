package io.github.reactorpatterns.retry;

import java.time.Duration;
import java.util.Objects;

import io.github.reactorpatterns.internal.Durations;

/**
 * Signals that a {@link RetryPolicy} made all the retries it allows and the last attempt failed too. The last
 * error is the {@linkplain #getCause() cause}; the errors of the earlier attempts are
 * {@linkplain #getSuppressed() suppressed}, oldest first (at most the {@value #MAX_SUPPRESSED} most recent, each
 * distinct instance once).
 *
 * <p>Only exhaustion is wrapped: an error the policy does not retry, and an error that ends the retries early
 * (deadline, {@code maxElapsed}, a too-long {@code Retry-After}, an empty budget), passes through unchanged. A policy
 * that allows no retries at all never wraps.
 */
public class RetryExhaustedException extends RuntimeException {

    /** The most earlier errors kept as suppressed: {@value}. */
    public static final int MAX_SUPPRESSED = 16;

    private static final long serialVersionUID = 1L;

    /** How many attempts were made. */
    private final long attempts;
    /** The time from the first subscription to the last failure. */
    private final Duration elapsed;

    /**
     * Creates the exception; the message counts the attempts and names the last error, as in
     * {@code "Retries exhausted: 4 attempts in 700ms; last error: java.io.IOException: boom"}.
     *
     * @param attempts how many attempts were made, the first subscription included; at least 1
     * @param elapsed the time from the first subscription to the last failure
     * @param lastError the error of the last attempt
     * @throws NullPointerException if {@code elapsed} or {@code lastError} is null
     * @throws IllegalArgumentException if {@code attempts} is below 1
     */
    public RetryExhaustedException(long attempts, Duration elapsed, Throwable lastError) {
        super(message(attempts, elapsed, lastError), lastError);
        this.attempts = attempts;
        this.elapsed = elapsed;
    }

    /**
     * How many attempts were made, the first subscription included: the retries plus one.
     *
     * @return the number of attempts
     */
    public long attempts() {
        return attempts;
    }

    /**
     * The time from the first subscription to the last failure, by the policy's scheduler clock.
     *
     * @return the time spent
     */
    public Duration elapsed() {
        return elapsed;
    }

    private static String message(long attempts, Duration elapsed, Throwable lastError) {
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(lastError, "lastError");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts >= 1 required but it was " + attempts);
        }
        return "Retries exhausted: " + attempts + (attempts == 1 ? " attempt" : " attempts") + " in "
                + Durations.format(elapsed) + "; last error: " + lastError;
    }
}
