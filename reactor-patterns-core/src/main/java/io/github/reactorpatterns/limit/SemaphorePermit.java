package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** A permit taken without waiting ({@link AsyncSemaphore#tryAcquireNow()}); releases its permits once. */
final class SemaphorePermit implements Permit {

    final AsyncSemaphore semaphore;
    final int weight;

    volatile int released;
    static final AtomicIntegerFieldUpdater<SemaphorePermit> RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(SemaphorePermit.class, "released");

    SemaphorePermit(AsyncSemaphore semaphore, int weight) {
        this.semaphore = semaphore;
        this.weight = weight;
    }

    @Override
    public void release() {
        if (released == 0 && RELEASED.compareAndSet(this, 0, 1)) {
            semaphore.release(weight);
        }
    }

    @Override
    public int permits() {
        return weight;
    }

    @Override
    public boolean isReleased() {
        return released != 0;
    }

    @Override
    public String toString() {
        return "Permit[permits=" + weight + (released != 0 ? ", released]" : "]");
    }
}
