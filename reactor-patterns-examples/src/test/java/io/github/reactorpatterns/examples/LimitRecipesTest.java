package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import io.github.reactorpatterns.concurrent.TaskGroupException;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class LimitRecipesTest {

    @Test
    void theModuleLevelSemaphoreBoundsEveryBatchTogether() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        List<String> prompts = IntStream.range(0, 40).mapToObj(i -> "p" + i).toList();
        Function<String, Mono<String>> apiCall =
                p -> probe.wrap(Mono.delay(Duration.ofMillis(100)).thenReturn(p));
        StepVerifier.withVirtualTime(() ->
                        Mono.zip(LimitRecipes.batchCalls(prompts, apiCall), LimitRecipes.batchCalls(prompts, apiCall)))
                .thenAwait(Duration.ofSeconds(2))
                .assertNext(both -> {
                    assertThat(both.getT1()).isEqualTo(prompts);
                    assertThat(both.getT2()).isEqualTo(prompts);
                })
                .verifyComplete();
        assertThat(probe.max()).isEqualTo(5); // 80 calls from two batches, never more than 5 at once
        assertThat(LimitRecipes.SEM.availablePermits()).isEqualTo(5);
    }

    @Test
    void cancellingABatchGivesThePermitsBack() {
        StepVerifier.create(LimitRecipes.batchCalls(List.of("a", "b", "c"), p -> Mono.never()))
                .expectSubscription()
                .then(() -> assertThat(LimitRecipes.SEM.availablePermits()).isEqualTo(2))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(LimitRecipes.SEM.availablePermits()).isEqualTo(5);
    }

    @Test
    void fetchAllRateLimitedBoundsConcurrencyAndFailsAsATaskGroup() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        List<String> urls = IntStream.range(0, 30).mapToObj(i -> "/u" + i).toList();
        StepVerifier.withVirtualTime(() -> LimitRecipes.fetchAllRateLimited(
                        urls,
                        3,
                        url -> probe.wrap(Mono.delay(Duration.ofMillis(10)).thenReturn(url))))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(urls)
                .verifyComplete();
        assertThat(probe.max()).isEqualTo(3);

        StepVerifier.create(LimitRecipes.fetchAllRateLimited(
                        List.of("/ok", "/bad"),
                        3,
                        url -> url.equals("/bad") ? Mono.error(new IllegalStateException("404")) : Mono.never()))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(TaskGroupException.class).hasMessageContaining("404"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void theTokenBucketAllowsABurstOf20ThenTenPerSecond() {
        List<Long> startedAt = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> {
                    TokenBucket bucket = LimitRecipes.bucket();
                    return Flux.range(0, 40)
                            .flatMap(i -> LimitRecipes.fetch(
                                    bucket,
                                    "/r" + i,
                                    url -> Mono.fromSupplier(() -> {
                                        startedAt.add(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
                                        return url;
                                    })));
                })
                .expectNextCount(20) // the burst, at once
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNextCount(1) // then one every 100 ms
                .thenAwait(Duration.ofMillis(1900))
                .expectNextCount(19)
                .verifyComplete();
        assertThat(startedAt).hasSize(40);
        assertThat(startedAt.get(39) - startedAt.get(0)).isEqualTo(2000);
    }

    @Test
    void counterIncrementsAreNeverLostUnderConcurrency() {
        LimitRecipes.Counter counter = new LimitRecipes.Counter();
        AtomicInteger calls = new AtomicInteger();
        Flux.range(0, 10_000)
                .parallel(4)
                .runOn(Schedulers.parallel())
                .flatMap(i -> counter.increment().doOnNext(v -> calls.incrementAndGet()))
                .sequential()
                .blockLast(Duration.ofSeconds(30));
        StepVerifier.create(counter.get()).expectNext(10_000).verifyComplete();
        assertThat(calls).hasValue(10_000);
    }
}
