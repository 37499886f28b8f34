package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class QueueRecipesTest {

    @Test
    void runPipelineRunsAtMostNumWorkersJobsAndLogsFailures() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        List<String> urls = IntStream.range(0, 200).mapToObj(i -> "/u" + i).toList();
        List<String> log = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> QueueRecipes.runPipeline(
                        urls,
                        5,
                        job -> probe.wrap(Mono.delay(Duration.ofMillis(10))
                                .then(
                                        job.id() % 50 == 7
                                                ? Mono.error(new IllegalStateException("500"))
                                                : Mono.just("done " + job.url()))),
                        (job, e) -> log.add("job " + job.id() + " failed: " + e.getMessage())))
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(results -> assertThat(results)
                        .hasSize(196)
                        .contains("done /u0", "done /u199")
                        .doesNotContain("done /u7"))
                .verifyComplete();
        assertThat(probe.max()).isEqualTo(5);
        assertThat(log)
                .containsExactlyInAnyOrder(
                        "job 7 failed: 500", "job 57 failed: 500", "job 107 failed: 500", "job 157 failed: 500");
    }

    @Test
    void runPipelineOfNothingIsEmpty() {
        StepVerifier.create(QueueRecipes.runPipeline(List.of(), 5, job -> Mono.just("x"), (job, e) -> {}))
                .expectNext(List.of())
                .verifyComplete();
    }

    @Test
    void producerAndConsumerHandEveryItemOverInOrder() {
        List<Integer> consumed = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> QueueRecipes.main(consumed::add))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .verifyComplete();
        assertThat(consumed).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
}
