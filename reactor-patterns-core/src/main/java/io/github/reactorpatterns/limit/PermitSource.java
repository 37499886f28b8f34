package io.github.reactorpatterns.limit;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A source of permits that bounds how much work runs at once: the contract shared by the local
 * {@link AsyncSemaphore} and semaphores shared by many processes (for example {@code RedisSemaphore} in
 * {@code reactor-patterns-redis}). Code that only needs "at most N at once" should accept a {@code PermitSource},
 * so the same call sites work whether the limit holds for one JVM or for the whole fleet.
 *
 * <p>Every method is lazy: nothing is acquired before subscription, and each subscription acquires afresh.
 * Waiting never blocks a thread. Cancelling a waiting subscriber removes it from the queue at once; a permit granted
 * in a race with a cancel is given back. Implementations are thread-safe.
 */
public interface PermitSource {

    /**
     * Acquires one permit, waiting (without blocking) until one is free. The caller owns the emitted
     * {@link Permit} and must {@link Permit#release() release} it; prefer {@link #withPermit(Mono)}, which does.
     *
     * @return a {@code Mono} that emits the permit once granted
     */
    Mono<Permit> acquire();

    /**
     * Takes one permit if one is free now, without joining the queue of waiters.
     *
     * @return a {@code Mono} that emits the permit, or completes empty if none could be taken
     */
    Mono<Permit> tryAcquire();

    /**
     * Runs {@code task} while holding one permit: acquired on subscription, released exactly once when the task
     * completes, fails or is cancelled (also while still waiting). The task's signals pass through unchanged. Use it
     * as {@code mono.transform(limit::withPermit)}.
     *
     * @param task the work to run under the permit
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    <T> Mono<T> withPermit(Mono<T> task);

    /**
     * Runs {@code task} while holding one permit, as {@link #withPermit(Mono)} does; the permit is held until the
     * {@code Flux} completes, fails or is cancelled. Backpressure passes through unchanged.
     *
     * @param task the work to run under the permit
     * @param <T> the type of the task's elements
     * @return a {@code Flux} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    <T> Flux<T> withPermit(Flux<T> task);
}
