package io.github.reactorpatterns.limit;

import java.util.Objects;
import java.util.function.Consumer;

import reactor.core.Disposable;
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
     * <p>A permit granted before the subscriber asked for it, or in a race with a cancel that the source sees first,
     * is given back. But once the permit has been passed to {@code onNext} it is the subscriber's: a subscriber that
     * drops a value arriving at the instant it is cancelled drops the permit with it, and no source can tell. That
     * is what a lambda subscriber does when it is disposed at the instant of the grant
     * ({@code acquire().subscribe(permit -> ...)}, then {@code dispose()}: Reactor hands the value to
     * {@code onNextDropped}). To take a permit from code that may give up waiting, use
     * {@link #acquire(Consumer, Consumer)}, whose permit never travels as a value; inside a pipeline, use
     * {@link #withPermit(Mono)}.
     *
     * @return a {@code Mono} that emits the permit once granted
     */
    Mono<Permit> acquire();

    /**
     * Acquires one permit and hands it to {@code onGranted}: the callback form of {@link #acquire()}, for code outside
     * a pipeline that may give up waiting. Unlike {@code acquire().subscribe(onGranted)}, disposing the returned
     * {@code Disposable} can never lose the permit: before the grant it leaves the queue, and a permit granted at
     * that very instant goes back to the source; once {@code onGranted} has been called the permit belongs to the
     * callback, and {@code dispose()} does nothing. The permit is held through {@link #withPermit(Mono)}, so it
     * never crosses a subscriber that could drop it.
     *
     * <p>{@code onGranted} runs on the thread that granted the permit (the one that released a permit, or this one
     * if a permit was free) and must {@link Permit#release() release} the permit it gets, exactly as with
     * {@link #acquire()}. If {@code onGranted} throws, the permit is released and the exception goes to
     * {@code onError}, which also receives any error of the acquisition (such as a full queue of waiters).
     *
     * @param onGranted receives the permit once granted
     * @param onError receives an error instead of a permit
     * @return a handle that stops waiting when disposed
     * @throws NullPointerException if {@code onGranted} or {@code onError} is null
     */
    default Disposable acquire(Consumer<? super Permit> onGranted, Consumer<? super Throwable> onError) {
        Objects.requireNonNull(onGranted, "onGranted");
        Objects.requireNonNull(onError, "onError");
        return PermitHandoff.start(this, onGranted, onError);
    }

    /**
     * Takes one permit if one is free now, without joining the queue of waiters. A permit that cannot be delivered
     * because the subscriber cancelled first is given back; once it reached {@code onNext} it is the subscriber's,
     * as for {@link #acquire()}.
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
