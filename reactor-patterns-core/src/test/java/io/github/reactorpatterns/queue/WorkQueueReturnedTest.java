package io.github.reactorpatterns.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link WorkQueue#returned()}: the jobs a shutdown handed back. */
class WorkQueueReturnedTest {

    @Test
    void returnedCountsTheJobsTheShutdownHandedBack() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .scheduler(vts)
                .handler(job -> Mono.never())
                .onFailure((job, error) -> {})
                .build();
        for (int i = 0; i < 4; i++) {
            assertThat(queue.offer(i)).isTrue();
        }
        assertThat(queue.returned()).isZero();
        List<List<Integer>> result = new java.util.ArrayList<>();
        queue.shutdown(Duration.ofSeconds(1)).subscribe(result::add);
        vts.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(result).containsExactly(List.of(1, 2, 3));
        assertThat(queue.returned()).isEqualTo(3);
        assertThat(queue.failed()).isEqualTo(1); // the running job, cancelled after the grace period
        assertThat(queue.completed()).isZero();
    }

    @Test
    void aQueueThatDrainsInTimeReturnsNothing() {
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .handler(job -> Mono.empty())
                .build();
        queue.offer(1);
        assertThat(queue.shutdown(Duration.ofSeconds(1)).block(Duration.ofSeconds(5)))
                .isEmpty();
        assertThat(queue.returned()).isZero();
        assertThat(queue.completed()).isEqualTo(1);
    }
}
