package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.reactorpatterns.concurrent.TaskGroupException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class TaskGroupRecipesTest {

    @Test
    void processItemsRunsAllAtOnceAndReturnsResultsInOrder() {
        StepVerifier.withVirtualTime(() -> TaskGroupRecipes.processItems(List.of("a", "b", "c")))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of("processed_a", "processed_b", "processed_c"))
                .verifyComplete();
        StepVerifier.create(TaskGroupRecipes.processItems(List.of()))
                .expectNext(List.of())
                .verifyComplete();
    }

    @Test
    void processWithHandlingLogsHandledFailuresAndCancelsTheRest() {
        List<String> log = new CopyOnWriteArrayList<>();
        PublisherProbe<Object> slow = PublisherProbe.of(Mono.never());
        StepVerifier.create(TaskGroupRecipes.processWithHandling(
                        List.of("ok", "invalid", "slow"),
                        item -> switch (item) {
                            case "invalid" -> Mono.error(new IllegalArgumentException("bad item"));
                            case "slow" -> slow.mono();
                            default -> Mono.just(item);
                        },
                        log::add))
                .verifyComplete();
        assertThat(log).containsExactly("Validation error: bad item");
        slow.assertWasNotSubscribed(); // forked after the failure: never started
    }

    @Test
    void processWithHandlingLogsConnectionErrors() {
        List<String> log = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> TaskGroupRecipes.processWithHandling(
                        List.of("a", "b"),
                        item -> Mono.delay(Duration.ofMillis(item.equals("a") ? 1 : 2))
                                .then(Mono.error(new ConnectException("refused " + item))),
                        log::add))
                .thenAwait(Duration.ofMillis(1))
                .verifyComplete();
        assertThat(log).containsExactly("Connection error: refused a");
    }

    @Test
    void processWithHandlingPropagatesWhatNoExceptClauseHandles() {
        List<String> log = new CopyOnWriteArrayList<>();
        StepVerifier.create(TaskGroupRecipes.processWithHandling(
                        List.of("a"), item -> Mono.error(new IllegalStateException("unexpected")), log::add))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(TaskGroupException.class).hasMessageContaining("unexpected"))
                .verify(Duration.ofSeconds(5));
        assertThat(log).isEmpty();
    }
}
