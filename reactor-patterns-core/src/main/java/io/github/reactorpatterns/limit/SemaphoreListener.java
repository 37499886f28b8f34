package io.github.reactorpatterns.limit;

import java.time.Duration;

/**
 * Observes an {@link AsyncSemaphore}: told of every permit grant and every refusal, for metrics and logs. Set it with
 * {@link AsyncSemaphore.Builder#listener(SemaphoreListener)}; a semaphore without one pays only a null check per
 * event. The {@code reactor-patterns-micrometer} module turns these events into Micrometer meters.
 *
 * <p>Every method has an empty default, so an implementation overrides only what it needs. The semaphore calls them
 * synchronously on the thread where the event happens (the one that acquired, or the one whose release granted a
 * waiter), never while holding its lock, and just before the permit is handed to its new holder. They must be fast
 * and must not block; an exception they throw is logged and otherwise ignored. Implementations must be thread-safe:
 * events of one semaphore may arrive from several threads at once.
 */
public interface SemaphoreListener {

    /**
     * Permits were granted: to a caller that found them free ({@code waited} is zero) or to a waiter at the head of
     * the queue. A grant that races a cancel of its waiter is reported too (the permits then go straight back).
     *
     * @param permits how many permits were granted together
     * @param waited how long the caller waited in the queue, {@link Duration#ZERO} if it did not
     */
    default void onAcquired(int permits, Duration waited) {}

    /**
     * A caller was refused: its {@code acquire} found the queue of waiters full (it fails with
     * {@link SemaphoreFullException}), or its {@code tryAcquire} found no permit free.
     *
     * @param permits how many permits the caller asked for
     */
    default void onRejected(int permits) {}
}
