package io.github.reactorpatterns.limit;

import org.jspecify.annotations.Nullable;

/**
 * A node of a {@link WaiterQueue}: the links live in the waiter itself, so queueing allocates nothing. The links and
 * {@link #queued} are guarded by the lock of the queue's owner.
 */
abstract class WaiterNode {

    /** How much this waiter asks for (permits or tokens), {@code > 0}. */
    final int weight;

    @Nullable
    WaiterNode prev;

    @Nullable
    WaiterNode next;
    /** Whether the node is linked into a queue right now. */
    boolean queued;

    WaiterNode(int weight) {
        this.weight = weight;
    }
}
