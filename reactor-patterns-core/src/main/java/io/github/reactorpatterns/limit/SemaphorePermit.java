package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** A permit handed out by {@link AsyncSemaphore}; releases its permits once. */
class SemaphorePermit implements Permit {

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
    public final void release() {
        if (released == 0 && RELEASED.compareAndSet(this, 0, 1)) {
            semaphore.release(weight);
        }
    }

    @Override
    public final int permits() {
        return weight;
    }

    @Override
    public final boolean isReleased() {
        return released != 0;
    }

    @Override
    public String toString() {
        return "Permit[permits=" + weight + (released != 0 ? ", released]" : "]");
    }
}
