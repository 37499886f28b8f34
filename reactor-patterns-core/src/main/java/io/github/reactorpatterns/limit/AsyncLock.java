package io.github.reactorpatterns.limit;

import java.util.Objects;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An asynchronous mutual-exclusion lock: the reactive form of {@code asyncio.Lock}. Tasks run under the lock one at
 * a time, in the order they were subscribed; a task that has to wait never blocks a thread.
 *
 * <pre>{@code
 * final AsyncLock lock = AsyncLock.of();
 * Mono<Integer> increment() {
 *     return lock.withLock(Mono.fromCallable(() -> ++value));
 * }
 * }</pre>
 *
 * <p>Like {@code asyncio.Lock} (and unlike {@link java.util.concurrent.locks.ReentrantLock}) it is <b>not
 * reentrant</b>: a task that subscribes to {@code withLock} of the same lock from inside its own locked section
 * waits for itself forever. It has no owner thread; the lock is held by a subscription, from the grant until the
 * task terminates or is cancelled.
 *
 * <p>It is an {@link AsyncSemaphore} with one permit and inherits its guarantees: FIFO, cancellation returns the
 * lock exactly once, grants are trampolined. Instances are thread-safe.
 */
public final class AsyncLock {

    private final AsyncSemaphore semaphore;

    private AsyncLock() {
        this.semaphore = AsyncSemaphore.of(1);
    }

    /**
     * Creates an unlocked lock.
     *
     * @return a new lock
     */
    public static AsyncLock of() {
        return new AsyncLock();
    }

    /**
     * Runs {@code task} holding the lock: the lock is taken when the returned {@code Mono} is subscribed (waiting in
     * FIFO order if it is held) and released exactly once when the task completes, fails or is cancelled. The
     * task's signals pass through unchanged.
     *
     * @param task the critical section
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    public <T> Mono<T> withLock(Mono<T> task) {
        return semaphore.withPermit(Objects.requireNonNull(task, "task"));
    }

    /**
     * Runs {@code task} holding the lock from the grant until the {@code Flux} completes, fails or is cancelled.
     *
     * @param task the critical section
     * @param <T> the type of the task's elements
     * @return a {@code Flux} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    public <T> Flux<T> withLock(Flux<T> task) {
        return semaphore.withPermit(Objects.requireNonNull(task, "task"));
    }

    /**
     * Whether some subscription holds the lock right now (a snapshot).
     *
     * @return {@code true} if the lock is held
     */
    public boolean isLocked() {
        return semaphore.availablePermits() == 0;
    }

    /**
     * The number of subscriptions waiting for the lock right now (a snapshot).
     *
     * @return waiting subscriptions
     */
    public int waiting() {
        return semaphore.waiting();
    }

    @Override
    public String toString() {
        return "AsyncLock[" + (isLocked() ? "locked" : "unlocked") + ", waiting=" + waiting() + "]";
    }
}
