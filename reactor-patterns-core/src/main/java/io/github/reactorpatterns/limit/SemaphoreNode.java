package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A subscription that waits in an {@link AsyncSemaphore}'s queue and, once granted, holds the permits itself (so a
 * grant allocates nothing): its weight is the number of permits, and {@link #release()} gives them back once. The
 * queue links are guarded by the semaphore's lock.
 */
abstract class SemaphoreNode extends WaiterNode implements Permit {

    final AsyncSemaphore semaphore;
    /** {@code System.nanoTime()} when queued; set only if the semaphore has a listener. */
    long queuedAt;

    volatile int released;
    static final AtomicIntegerFieldUpdater<SemaphoreNode> RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(SemaphoreNode.class, "released");

    SemaphoreNode(AsyncSemaphore semaphore, int weight) {
        super(weight);
        this.semaphore = semaphore;
    }

    /** Whether the subscriber cancelled (or the node failed); a cancelled node is never queued. */
    abstract boolean isCancelled();

    /**
     * The semaphore took this node's permits for it and unlinked it. If the node was cancelled meanwhile it must
     * give them back.
     */
    abstract void grant();

    /** The semaphore refused to queue this node (its queue is full). */
    abstract void reject(Throwable error);

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
}
