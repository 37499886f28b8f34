package io.github.reactorpatterns.limit;

import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;

/**
 * The {@code Mono} behind {@link AsyncSemaphore#acquire(int)}. A custom publisher because {@code Mono.create} can
 * drop a value that races a cancel (it goes to {@code onNextDropped}, and the permit would leak); here every permit
 * is either delivered to {@code onNext} or released. Verified by the Reactive Streams TCK.
 */
final class MonoSemaphoreAcquire extends Mono<Permit> implements Scannable {

    private final AsyncSemaphore semaphore;
    private final int weight;

    private MonoSemaphoreAcquire(AsyncSemaphore semaphore, int weight) {
        this.semaphore = semaphore;
        this.weight = weight;
    }

    /** A new acquire, passed through {@code Mono.onAssembly} so assembly hooks and {@code checkpoint()} see it. */
    static Mono<Permit> create(AsyncSemaphore semaphore, int weight) {
        return onAssembly(new MonoSemaphoreAcquire(semaphore, weight));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Permit> actual) {
        SemaphoreWaiter waiter = new SemaphoreWaiter(semaphore, weight, actual);
        actual.onSubscribe(waiter);
        if (!waiter.isCancelled()) {
            semaphore.acquire(waiter);
        }
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC; // granted on the thread that releases a permit
        }
        return null;
    }

    @Override
    public String stepName() {
        return "source(AsyncSemaphore.acquire)";
    }
}
