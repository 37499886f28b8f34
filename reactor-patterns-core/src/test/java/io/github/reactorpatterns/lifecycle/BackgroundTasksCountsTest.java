package io.github.reactorpatterns.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** {@link BackgroundTasks#finished()}, {@link BackgroundTasks#failed()} and {@link BackgroundTasks#cancelled()}. */
class BackgroundTasksCountsTest {

    @Test
    void everyTaskEndsInExactlyOneCount() {
        BackgroundTasks tasks = BackgroundTasks.create(error -> {});
        tasks.spawn(Mono.just(1));
        tasks.spawn(Mono.error(new IllegalStateException("boom")));
        Disposable disposed = tasks.spawn(Mono.never());
        Sinks.Empty<Void> late = Sinks.empty();
        tasks.spawn(late.asMono());
        tasks.spawn(Mono.never());
        assertThat(tasks.active()).isEqualTo(3);

        disposed.dispose();
        disposed.dispose();
        assertThat(tasks.cancelled()).isEqualTo(1);

        late.tryEmitEmpty();
        tasks.shutdown().block(Duration.ofSeconds(5));
        assertThat(tasks.active()).isZero();
        assertThat(tasks.finished()).isEqualTo(2);
        assertThat(tasks.failed()).isEqualTo(1);
        assertThat(tasks.cancelled()).isEqualTo(2);
    }
}
