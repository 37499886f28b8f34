package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WaiterQueueTest {

    static final class Node extends WaiterNode {
        Node(int weight) {
            super(weight);
        }
    }

    @Test
    void linksInArrivalOrderAndTracksSizeAndWeight() {
        WaiterQueue<Node> queue = new WaiterQueue<>();
        assertThat(queue.head()).isNull();
        Node a = new Node(1);
        Node b = new Node(2);
        Node c = new Node(3);
        queue.link(a);
        queue.link(b);
        queue.link(c);
        assertThat(queue.head()).isSameAs(a);
        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.weight()).isEqualTo(6);
        assertThat(a.queued && b.queued && c.queued).isTrue();
    }

    @Test
    void unlinkReportsWhetherTheHeadLeftAndKeepsTheOrder() {
        WaiterQueue<Node> queue = new WaiterQueue<>();
        Node a = new Node(1);
        Node b = new Node(2);
        Node c = new Node(3);
        queue.link(a);
        queue.link(b);
        queue.link(c);
        assertThat(queue.unlink(b)).as("middle").isFalse();
        assertThat(b.queued).isFalse();
        assertThat(b.prev).isNull();
        assertThat(b.next).isNull();
        assertThat(queue.unlink(a)).as("head").isTrue();
        assertThat(queue.head()).isSameAs(c);
        assertThat(queue.unlink(c)).as("last, also the head").isTrue();
        assertThat(queue.head()).isNull();
        assertThat(queue.size()).isZero();
        assertThat(queue.weight()).isZero();
        // Still usable: the tail was reset too.
        queue.link(b);
        assertThat(queue.head()).isSameAs(b);
        assertThat(queue.unlink(b)).isTrue();
    }

    @Test
    void removeOfANodeAGrantAlreadyUnlinkedDoesNothing() {
        WaiterQueue<Node> queue = new WaiterQueue<>();
        Node a = new Node(1);
        Node b = new Node(1);
        queue.link(a);
        queue.link(b);
        assertThat(queue.remove(b)).isEqualTo(WaiterQueue.REMOVED);
        assertThat(queue.remove(b)).isEqualTo(WaiterQueue.NOT_QUEUED);
        assertThat(queue.remove(a)).isEqualTo(WaiterQueue.REMOVED_HEAD);
        assertThat(queue.remove(a)).isEqualTo(WaiterQueue.NOT_QUEUED);
        assertThat(queue.size()).isZero();
    }
}
