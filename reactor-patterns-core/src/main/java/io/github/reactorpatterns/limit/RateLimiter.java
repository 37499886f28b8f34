package io.github.reactorpatterns.limit;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * A rate limiter that callers wait on: the contract shared by the local {@link TokenBucket} and limiters shared by
 * many processes (for example {@code RedisTokenBucket} in {@code reactor-patterns-redis}). Code that only needs "at
 * most this rate" should accept a {@code RateLimiter}, so the same call sites work whether the rate holds for one
 * JVM or for the whole fleet.
 *
 * <p>Every method is lazy: nothing is taken, paused or asked before subscription. Waiting never blocks a thread;
 * waiters of one limiter are served first come, first served within a process; cancelling a waiting subscriber
 * removes it at once and gives its reservation to the waiters behind it. Implementations are thread-safe.
 *
 * <p>The local {@link TokenBucket} also has synchronous forms of these methods, named with a {@code Now} suffix
 * ({@link TokenBucket#tryAcquireNow(int)}, {@link TokenBucket#pauseNow(Duration)},
 * {@link TokenBucket#estimatedWaitNow(int)}); a limiter shared through a server cannot offer them.
 */
public interface RateLimiter {

    /**
     * Takes one token, waiting if none is available; same as {@code acquire(1)}.
     *
     * @return a {@code Mono} that completes empty once the token is granted
     */
    default Mono<Void> acquire() {
        return acquire(1);
    }

    /**
     * Takes {@code tokens} tokens together, waiting (without blocking a thread) until they are granted.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} that completes empty once the tokens are granted
     * @throws IllegalArgumentException if {@code tokens} is out of range
     */
    Mono<Void> acquire(int tokens);

    /**
     * Takes {@code tokens} tokens if they are available now, without waiting and without overtaking waiters.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} of {@code true} if the tokens were taken, {@code false} otherwise
     * @throws IllegalArgumentException if {@code tokens} is out of range
     */
    Mono<Boolean> tryAcquire(int tokens);

    /**
     * Holds every caller of this limiter back for {@code pause}: the reaction to one {@code 429} with a
     * {@code Retry-After}. A pause never shortens a wait; afterwards tokens flow at the rate again.
     *
     * @param pause how long to grant nothing; zero does nothing
     * @return a {@code Mono} that completes once the pause is in force
     * @throws NullPointerException if {@code pause} is null
     * @throws IllegalArgumentException if {@code pause} is negative
     */
    Mono<Void> pause(Duration pause);

    /**
     * How long an {@code acquire(tokens)} subscribed now would wait (a snapshot).
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} of the wait, {@link Duration#ZERO} if the tokens are available now
     * @throws IllegalArgumentException if {@code tokens} is out of range
     */
    Mono<Duration> estimatedWait(int tokens);

    /**
     * Runs {@code task} after taking one token; the token paces the start of the task, not its duration.
     *
     * @param task the call to pace
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    default <T> Mono<T> withToken(Mono<T> task) {
        java.util.Objects.requireNonNull(task, "task");
        return acquire(1).then(task);
    }
}
