package io.github.reactorpatterns.limit;

import java.time.Duration;

/**
 * Observes a {@link TokenBucket}: told of every grant of tokens and every pause, for metrics and logs. Set it with
 * {@link TokenBucket.Builder#listener(TokenBucketListener)}; a bucket without one pays only a null check per event.
 * The {@code reactor-patterns-micrometer} module turns these events into Micrometer meters.
 *
 * <p>Every method has an empty default, so an implementation overrides only what it needs. The bucket calls them
 * synchronously on the thread where the event happens (the acquiring thread, or the scheduler's timer thread that
 * woke a waiter), never while holding its lock, and for a grant just before the caller is told. They must be fast and
 * must not block; an exception they throw is logged and otherwise ignored. Implementations must be thread-safe.
 */
public interface TokenBucketListener {

    /**
     * Tokens were granted: to {@code tryAcquire}, to an {@code acquire} that found them available ({@code waited} is
     * zero), or to a waiter whose turn came.
     *
     * @param tokens how many tokens were granted together
     * @param waited how long the caller waited, measured on the bucket's scheduler clock; {@link Duration#ZERO} if it
     *     did not wait
     */
    default void onGranted(int tokens, Duration waited) {}

    /**
     * A pause was requested with {@link TokenBucket#pauseNow(Duration)} or {@link TokenBucket#pause(Duration)} (for
     * instance by a {@code Retry-After}); reported whether or not it extends a pause already in force.
     *
     * @param pause the pause asked for, not negative
     */
    default void onPaused(Duration pause) {}
}
