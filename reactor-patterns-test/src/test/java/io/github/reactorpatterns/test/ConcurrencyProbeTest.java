package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class ConcurrencyProbeTest {

    @Test
    void countsOverlappingSubscriptionsInVirtualTime() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        StepVerifier.withVirtualTime(() ->
                        Flux.range(0, 10).flatMap(i -> probe.wrap(Mono.delay(Duration.ofSeconds(1))), 4))
                .thenAwait(Duration.ofSeconds(3))
                .expectNextCount(10)
                .verifyComplete();
        assertThat(probe.max()).isEqualTo(4);
        assertThat(probe.total()).isEqualTo(10);
        assertThat(probe.current()).isZero();
    }

    @Test
    void cancellationAndErrorEndTheCount() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        TestPublisher<Integer> never = TestPublisher.create();
        StepVerifier.create(probe.wrap(never.flux()))
                .then(() -> assertThat(probe.current()).isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(probe.current()).isZero();

        StepVerifier.create(probe.wrap(Mono.error(new IllegalStateException("boom"))))
                .verifyErrorMessage("boom");
        assertThat(probe.current()).isZero();
        assertThat(probe.total()).isEqualTo(2);
    }

    @Test
    void wrappingIsLazyAndCountsEachSubscription() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        Mono<Integer> wrapped = probe.wrap(Mono.just(1));
        assertThat(probe.total()).isZero();
        wrapped.block(Duration.ofSeconds(1));
        wrapped.block(Duration.ofSeconds(1));
        assertThat(probe.total()).isEqualTo(2);
        assertThat(probe.max()).isEqualTo(1);
    }

    @Test
    void assertMaxAtMostReportsTheObservedMaximum() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        StepVerifier.withVirtualTime(() ->
                        Flux.range(0, 6).flatMap(i -> probe.wrap(Mono.delay(Duration.ofSeconds(1))), 3))
                .thenAwait(Duration.ofSeconds(2))
                .expectNextCount(6)
                .verifyComplete();
        probe.assertMaxAtMost(3);
        assertThatThrownBy(() -> probe.assertMaxAtMost(2))
                .isInstanceOf(AssertionError.class)
                .hasMessage("expected at most 2 concurrent subscriptions but observed 3");
        probe.reset();
        assertThat(probe.max()).isZero();
        assertThat(probe.total()).isZero();
    }

    @Test
    void rejectsNull() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        assertThatNullPointerException()
                .isThrownBy(() -> probe.wrap((Mono<Object>) null))
                .withMessage("source");
        assertThatNullPointerException()
                .isThrownBy(() -> probe.wrap((Flux<Object>) null))
                .withMessage("source");
    }
}
