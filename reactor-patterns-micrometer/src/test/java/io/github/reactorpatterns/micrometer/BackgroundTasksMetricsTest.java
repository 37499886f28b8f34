package io.github.reactorpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

class BackgroundTasksMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double value(String name) {
        return registry.get(name)
                .tag("name", "notify")
                .meter()
                .measure()
                .iterator()
                .next()
                .getValue();
    }

    @Test
    void activeFinishedFailedAndCancelledFollowTheTasks() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        BackgroundTasks tasks = BackgroundTasks.create(error -> {}, vts);
        BackgroundTasksMetrics.of("notify", tasks).bindTo(registry);

        Sinks.Empty<Void> slow = Sinks.empty();
        tasks.spawn(slow.asMono());
        tasks.spawn(Mono.error(new IllegalStateException("boom")));
        Disposable handle = tasks.spawn(Mono.never());
        tasks.spawn(Mono.never());
        tasks.spawn(Mono.delay(Duration.ofMillis(1), Schedulers.parallel()).then());
        assertThat(value(BackgroundTasksMetrics.FAILED)).isEqualTo(1);

        handle.dispose();
        assertThat(value(BackgroundTasksMetrics.CANCELLED)).isEqualTo(1);
        slow.tryEmitEmpty();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> value(BackgroundTasksMetrics.FINISHED) == 2);
        assertThat(value(BackgroundTasksMetrics.ACTIVE)).isEqualTo(1);

        tasks.drain(Duration.ofSeconds(1)).subscribe();
        vts.advanceTimeBy(Duration.ofSeconds(1)); // the last never-ending task is cut short
        assertThat(value(BackgroundTasksMetrics.ACTIVE)).isZero();
        assertThat(value(BackgroundTasksMetrics.CANCELLED)).isEqualTo(2);
        assertThat(value(BackgroundTasksMetrics.FINISHED)).isEqualTo(2);
        assertThat(value(BackgroundTasksMetrics.FAILED)).isEqualTo(1);
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> BackgroundTasksMetrics.of("notify", null))
                .withMessage("tasks");
    }
}
