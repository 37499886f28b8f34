package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.lifecycle.ReactiveMain;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The signal paths (exit 130/143) are tested by the library's own {@code ReactiveMainTest} in a child JVM. */
class ShutdownRecipesTest {

    @Test
    void simpleMainProcessesTheResultsAndExitsWith0() {
        List<List<String>> processed = new CopyOnWriteArrayList<>();
        assertThat(ShutdownRecipes.simpleMain(
                        Mono.delay(Duration.ofMillis(10)).thenReturn(List.of("a", "b")), processed::add))
                .isEqualTo(ReactiveMain.EXIT_SUCCESS);
        assertThat(processed).containsExactly(List.of("a", "b"));
    }

    @Test
    void simpleMainExitsWith1WhenMainFails() {
        assertThat(ShutdownRecipes.simpleMain(Mono.error(new IllegalStateException("db down")), r -> {}))
                .isEqualTo(ReactiveMain.EXIT_FAILURE);
    }

    @Test
    void runServerDrainsBackgroundTasksThenDisposesResourcesWhenTheServerStops() {
        List<String> events = new CopyOnWriteArrayList<>();
        BackgroundTasks background = BackgroundTasks.create();
        Sinks.Empty<Void> stopped = Sinks.empty();
        background.spawn(Mono.delay(Duration.ofMillis(20)).doOnTerminate(() -> events.add("task finished")));
        Mono<Void> server = stopped.asMono().doOnSubscribe(s -> events.add("serving"));
        Mono.delay(Duration.ofMillis(10)).subscribe(t -> stopped.tryEmitEmpty()); // the server stops by itself
        int code = ShutdownRecipes.runServer(server, background, () -> events.add("pool closed"));
        assertThat(code).isEqualTo(ReactiveMain.EXIT_SUCCESS);
        assertThat(events).containsExactly("serving", "task finished", "pool closed");
    }
}
