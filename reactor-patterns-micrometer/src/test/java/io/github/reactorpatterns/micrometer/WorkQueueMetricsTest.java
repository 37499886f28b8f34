package io.github.reactorpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.reactorpatterns.queue.WorkQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

class WorkQueueMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double value(String name) {
        return registry.get(name)
                .tag("name", "jobs")
                .meter()
                .measure()
                .iterator()
                .next()
                .getValue();
    }

    @Test
    void queuedRunningDoneFailedAndReturnedFollowTheQueue() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        List<Sinks.Empty<Void>> running = new CopyOnWriteArrayList<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(2)
                .scheduler(vts)
                .handler(job -> {
                    if (job < 0) {
                        return Mono.error(new IllegalStateException("job " + job));
                    }
                    Sinks.Empty<Void> done = Sinks.empty();
                    running.add(done);
                    return done.asMono();
                })
                .onFailure((job, error) -> {})
                .build();
        WorkQueueMetrics.of("jobs", queue).bindTo(registry);

        assertThat(queue.offer(-1)).isTrue(); // fails at once
        for (int i = 1; i <= 5; i++) {
            assertThat(queue.offer(i)).isTrue();
        }
        assertThat(value(WorkQueueMetrics.RUNNING)).isEqualTo(2);
        assertThat(value(WorkQueueMetrics.QUEUED)).isEqualTo(3);
        assertThat(value(WorkQueueMetrics.FAILED)).isEqualTo(1);

        running.get(0).tryEmitEmpty(); // job 1 done, job 3 starts
        assertThat(value(WorkQueueMetrics.DONE)).isEqualTo(1);
        assertThat(value(WorkQueueMetrics.QUEUED)).isEqualTo(2);

        List<List<Integer>> returned = new CopyOnWriteArrayList<>();
        queue.shutdown(Duration.ofSeconds(1)).subscribe(returned::add);
        vts.advanceTimeBy(Duration.ofSeconds(1)); // jobs 2 and 3 cancelled, 4 and 5 handed back
        assertThat(returned).containsExactly(List.of(4, 5));
        assertThat(value(WorkQueueMetrics.RUNNING)).isZero();
        assertThat(value(WorkQueueMetrics.QUEUED)).isZero();
        assertThat(value(WorkQueueMetrics.DONE)).isEqualTo(1);
        assertThat(value(WorkQueueMetrics.FAILED)).isEqualTo(3);
        assertThat(value(WorkQueueMetrics.RETURNED)).isEqualTo(2);
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> WorkQueueMetrics.of("jobs", null))
                .withMessage("queue");
    }
}
