package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class GatherPipelineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void everyJobBecomesAnOutcomeWithAtMostWorkersRunning() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        List<Outcome<Integer>> outcomes = Flux.range(0, 500)
                .transform(Gather.pipeline(
                        20,
                        4,
                        (Integer i) ->
                                probe.wrap(Mono.delay(Duration.ofMillis(1)).map(x -> i * 2))))
                .collectList()
                .block(TIMEOUT);
        assertThat(outcomes).hasSize(500).allMatch(Outcome::isSuccess);
        assertThat(outcomes)
                .extracting(o -> o.value().orElseThrow())
                .containsExactlyInAnyOrderElementsOf(
                        Flux.range(0, 500).map(i -> i * 2).collectList().block());
        probe.assertMaxAtMost(4);
        assertThat(probe.max()).isEqualTo(4);
    }

    @Test
    void aFailingJobIsAFailureAndTheOthersGoOn() {
        IOException boom = new IOException("boom");
        Function<Flux<Integer>, Flux<Outcome<String>>> pipeline = Gather.pipeline(4, 2, i -> {
            if (i == 1) {
                return Mono.error(boom);
            }
            if (i == 2) {
                throw new IllegalStateException("thrown");
            }
            if (i == 3) {
                return null;
            }
            return i == 4 ? Mono.empty() : Mono.just("v" + i);
        });
        List<Outcome<String>> outcomes =
                Flux.range(0, 6).transform(pipeline).collectList().block(TIMEOUT);
        assertThat(outcomes)
                .containsExactlyInAnyOrder(
                        Outcome.success("v0"),
                        Outcome.failure(boom),
                        Outcome.empty(),
                        Outcome.success("v5"),
                        outcomes.stream()
                                .filter(o -> o.error()
                                        .filter(IllegalStateException.class::isInstance)
                                        .isPresent())
                                .findFirst()
                                .orElseThrow(),
                        outcomes.stream()
                                .filter(o -> o.error()
                                        .filter(NullPointerException.class::isInstance)
                                        .isPresent())
                                .findFirst()
                                .orElseThrow());
    }

    @Test
    void emptySourceGivesEmptyFlux() {
        StepVerifier.create(Flux.<Integer>empty().transform(Gather.pipeline(1, 1, Mono::just)))
                .verifyComplete();
    }

    @Test
    void sourceErrorEndsTheStream() {
        Flux<Integer> failing = Flux.error(new IOException("source"));
        StepVerifier.create(failing.transform(Gather.pipeline(1, 1, Mono::just)))
                .verifyErrorMessage("source");
    }

    @Test
    void theSourceIsReadAheadByAtMostCapacity() {
        AtomicLong requested = new AtomicLong();
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        Flux<Outcome<Object>> flux = Flux.range(0, 10_000)
                .doOnRequest(requested::addAndGet)
                .transform(Gather.pipeline(10, 3, i -> probe.wrap(Mono.never())));
        StepVerifier.create(flux)
                .expectSubscription()
                .then(() -> {
                    assertThat(requested).hasValue(10);
                    assertThat(probe.current()).isEqualTo(3);
                })
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(probe.current()).isZero();
    }

    @Test
    void workersWaitForTheSubscriber() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        AtomicLong requested = new AtomicLong();
        Flux<Outcome<Integer>> flux = Flux.range(0, 1_000)
                .doOnRequest(requested::addAndGet)
                .transform(Gather.pipeline(4, 2, (Integer i) -> probe.wrap(Mono.just(i))));
        StepVerifier.create(flux, 0)
                .expectSubscription()
                .then(() -> assertThat(probe.total()).isEqualTo(2))
                .thenRequest(5)
                .expectNextCount(5)
                .then(() -> assertThat(probe.total()).isLessThanOrEqualTo(7))
                .then(() -> assertThat(requested.get()).isLessThanOrEqualTo(4 + 7))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void cancellingCancelsRunningJobsAndTheSource() {
        PublisherProbe<Object> job = PublisherProbe.of(Mono.never());
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Gather.pipeline(2, 2, i -> job.mono())))
                .then(() -> source.next(1, 2))
                .thenCancel()
                .verify(TIMEOUT);
        job.assertWasCancelled();
        source.assertCancelled();
    }

    @Test
    void isLazyAndResubscribes() {
        PublisherProbe<Integer> job = PublisherProbe.of(Mono.just(1));
        Flux<Outcome<Integer>> flux = Flux.just(1).transform(Gather.pipeline(1, 1, i -> job.mono()));
        job.assertWasNotSubscribed();
        StepVerifier.create(flux).expectNextCount(1).verifyComplete();
        StepVerifier.create(flux).expectNextCount(1).verifyComplete();
        assertThat(job.subscribeCount()).isEqualTo(2);
    }

    @Test
    void jvmFatalErrorsOfTheHandlerAreNotCaptured() {
        // the pipeline settles through Gather's settle, which rethrows JVM-fatal errors
        OutOfMemoryError oom = new OutOfMemoryError("test: not a real one");
        Flux<Outcome<Object>> flux = Flux.just(1).transform(Gather.pipeline(1, 1, i -> {
            throw oom;
        }));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> flux.subscribe()))
                .isSameAs(oom);
    }

    @Test
    void badArgumentsFailAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.pipeline(0, 1, Mono::just))
                .withMessage("capacity > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.pipeline(1, 0, Mono::just))
                .withMessage("workers > 0 required but it was 0");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.pipeline(1, 1, null))
                .withMessage("handler");
    }
}
