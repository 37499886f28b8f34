package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.examples.ContextManagers.Connection;
import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class FanOutRecipesTest {

    private static Mono<String> slow(String value, long millis) {
        return Mono.delay(Duration.ofMillis(millis)).thenReturn(value);
    }

    @Test
    void fetchAllRunsEveryCallAtOnceAndKeepsInputOrder() {
        StepVerifier.withVirtualTime(() -> FanOutRecipes.fetchAll(
                        List.of("a", "b", "c"), url -> slow(url.toUpperCase(), url.equals("a") ? 300 : 100)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(299))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of("A", "B", "C"))
                .verifyComplete();
    }

    @Test
    void fetchBatchHoldsAtMostMaxConcurrentConnectionsAndClosesEach() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        List<Connection> opened = new CopyOnWriteArrayList<>();
        Mono<Connection> acquire = Mono.fromSupplier(() -> {
            Connection c = new Connection() {
                @Override
                Mono<String> query(String sql) {
                    return probe.wrap(Mono.delay(Duration.ofMillis(10)).then(super.query(sql)));
                }
            };
            opened.add(c);
            return c;
        });
        List<Integer> ids = IntStream.range(0, 50).boxed().toList();
        StepVerifier.withVirtualTime(() -> FanOutRecipes.fetchBatch(ids, acquire, 4))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(rows -> assertThat(rows)
                        .hasSize(50)
                        .startsWith("rows of SELECT * FROM items WHERE id = 0")
                        .endsWith("rows of SELECT * FROM items WHERE id = 49"))
                .verifyComplete();
        assertThat(probe.max()).isEqualTo(4);
        assertThat(opened)
                .hasSize(50)
                .allSatisfy(c -> assertThat(c.events).last().isEqualTo("close"));
    }

    @Test
    void fetchWithLimitCancelsTheOthersOnFirstErrorUnlikeGather() {
        PublisherProbe<String> slowCall = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() ->
                        FanOutRecipes.fetchWithLimit(List.of("slow", "bad", "never-started"), 2, url -> switch (url) {
                            case "slow" -> slowCall.mono();
                            case "bad" ->
                                Mono.delay(Duration.ofMillis(5))
                                        .then(Mono.<String>error(new IllegalStateException("bad gateway")));
                            default -> Mono.error(new AssertionError("must not start after the failure"));
                        }))
                .thenAwait(Duration.ofMillis(5))
                .verifyErrorMessage("bad gateway");
        slowCall.assertWasCancelled();
    }

    @Test
    void fetchWithLimitSettledKeepsEveryOutcome() {
        AtomicInteger inFlight = new AtomicInteger();
        StepVerifier.create(FanOutRecipes.fetchWithLimitSettled(
                        List.of("a", "bad", "c"),
                        2,
                        url -> url.equals("bad")
                                ? Mono.error(new IllegalStateException("503"))
                                : Mono.just(url).doOnSubscribe(s -> inFlight.incrementAndGet())))
                .assertNext(o -> assertThat(o.value()).contains("a"))
                .assertNext(o -> assertThat(o).isInstanceOf(Outcome.Failure.class))
                .assertNext(o -> assertThat(o.value()).contains("c"))
                .verifyComplete();
        assertThat(inFlight).hasValue(2);
    }

    @Test
    void fetchAllUrlsDropsTheFailures() {
        StepVerifier.create(FanOutRecipes.fetchAllUrls(
                        List.of("a", "bad", "c"),
                        10,
                        url -> url.equals("bad") ? Mono.error(new IllegalStateException("500")) : Mono.just(url)))
                .expectNext(List.of("a", "c"))
                .verifyComplete();
        StepVerifier.create(FanOutRecipes.fetchAllUrls(List.of(), 10, Mono::just))
                .expectNext(List.of())
                .verifyComplete();
    }
}
