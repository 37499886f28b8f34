package io.github.reactorpatterns.limit;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The {@code Mono} behind {@link AsyncSemaphore#acquire(int)}. A custom publisher because {@code Mono.create} can
 * drop a value that races a cancel (it goes to {@code onNextDropped}, and the permit would leak); here every permit
 * is either delivered to {@code onNext} or released. Verified by the Reactive Streams TCK.
 */
final class MonoSemaphoreAcquire extends Mono<Permit> {

    private final AsyncSemaphore semaphore;
    private final int weight;

    MonoSemaphoreAcquire(AsyncSemaphore semaphore, int weight) {
        this.semaphore = semaphore;
        this.weight = weight;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Permit> actual) {
        SemaphoreWaiter waiter = new SemaphoreWaiter(semaphore, weight, actual);
        actual.onSubscribe(waiter);
        if (!waiter.isCancelled()) {
            semaphore.acquire(waiter);
        }
    }
}
