package io.github.reactorpatterns.limit;

import org.jspecify.annotations.Nullable;

/**
 * The intrusive FIFO of waiters shared by {@link AsyncSemaphore} and {@link TokenBucket}: a doubly linked list
 * threaded through the waiters themselves, so that a cancelled waiter leaves from anywhere in O(1). Not thread-safe:
 * every method except the volatile reads {@link #size()} and {@link #weight()} must be called under the owner's
 * lock. The owners keep their own drain loops; this class only knows the order.
 *
 * @param <N> the owner's node type
 */
final class WaiterQueue<N extends WaiterNode> {

    /** {@link #remove} found the node not queued (a grant unlinked it first). */
    static final int NOT_QUEUED = 0;
    /** {@link #remove} unlinked the node from behind the head. */
    static final int REMOVED = 1;
    /** {@link #remove} unlinked the head. */
    static final int REMOVED_HEAD = 2;

    private @Nullable WaiterNode head;
    private @Nullable WaiterNode tail;

    /** Number of linked nodes; written under the owner's lock, read without it. */
    private volatile int size;
    /** Sum of the linked nodes' weights; written under the owner's lock, read without it. */
    private volatile long weight;

    /**
     * The oldest linked node.
     *
     * @return the head, or null if the queue is empty
     */
    @SuppressWarnings("unchecked")
    @Nullable
    N head() {
        return (N) head;
    }

    /** Appends {@code node}, which must not be queued. */
    void link(N node) {
        WaiterNode t = tail;
        node.prev = t;
        if (t == null) {
            head = node;
        } else {
            t.next = node;
        }
        tail = node;
        node.queued = true;
        size = size + 1;
        weight = weight + node.weight;
    }

    /**
     * Unlinks {@code node}, which must be queued.
     *
     * @return whether it was the head (an owner then re-examines the new head: a large waiter may have been holding
     *     back smaller ones, or a timer was set for the removed one)
     */
    boolean unlink(N node) {
        WaiterNode p = node.prev;
        WaiterNode n = node.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        node.prev = null;
        node.next = null;
        node.queued = false;
        size = size - 1;
        weight = weight - node.weight;
        return p == null;
    }

    /**
     * Unlinks {@code node} if it is queued: the cancel path, which may race a grant that already unlinked it.
     *
     * @return {@link #NOT_QUEUED}, {@link #REMOVED} or {@link #REMOVED_HEAD}
     */
    int remove(N node) {
        if (!node.queued) {
            return NOT_QUEUED;
        }
        return unlink(node) ? REMOVED_HEAD : REMOVED;
    }

    /**
     * How many nodes are linked (a snapshot when read without the lock).
     *
     * @return the number of waiters
     */
    int size() {
        return size;
    }

    /**
     * The sum of the linked nodes' weights (a snapshot when read without the lock).
     *
     * @return the total weight waiting
     */
    long weight() {
        return weight;
    }
}
