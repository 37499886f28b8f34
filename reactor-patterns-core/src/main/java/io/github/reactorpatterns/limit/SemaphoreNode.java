package io.github.reactorpatterns.limit;

import org.jspecify.annotations.Nullable;

/**
 * A subscription that waits in an {@link AsyncSemaphore}'s queue and, once granted, holds the permits itself (so a
 * grant allocates nothing). The queue links are guarded by the semaphore's lock.
 */
abstract class SemaphoreNode extends SemaphorePermit {

    @Nullable SemaphoreNode prev;
    @Nullable SemaphoreNode next;
    boolean queued;
    /** {@code System.nanoTime()} when queued; set only if the semaphore has a listener. */
    long queuedAt;

    SemaphoreNode(AsyncSemaphore semaphore, int weight) {
        super(semaphore, weight);
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
}
