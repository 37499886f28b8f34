package io.github.reactorpatterns.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;

class DeadlineTest {

    private static final Duration VERIFY = Duration.ofSeconds(5);

    private static Consumer<Throwable> deadlineOf(Duration budget) {
        return error -> assertThat(error)
                .isExactlyInstanceOf(DeadlineExceededException.class)
                .isInstanceOf(TimeoutException.class)
                .hasMessage("deadline of " + budget.toMillis() + "ms exceeded")
                .extracting(e -> ((DeadlineExceededException) e).budget())
                .isEqualTo(budget);
    }

    // ---- within (Mono) -------------------------------------------------------------------------------------------

    @Test
    void valueBeforeTheDeadlinePassesThrough() {
        StepVerifier.withVirtualTime(() -> Mono.delay(Duration.ofMillis(999))
                        .map(tick -> "done")
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(999))
                .expectNext("done")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void expiryFailsWithDeadlineExceededAtExactlyTheBudget() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> source.mono().transform(Deadline.within(Duration.ofMillis(500))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(499))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(deadlineOf(Duration.ofMillis(500)))
                .verify(VERIFY);
        source.assertWasCancelled();
    }

    @Test
    void emptySourceCompletesEmpty() {
        StepVerifier.create(Mono.empty().transform(Deadline.within(Duration.ofSeconds(1))))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void sourceErrorsPassThroughUnchangedEvenTimeouts() {
        TimeoutException own = new TimeoutException("the source's own");
        StepVerifier.create(Mono.error(own).transform(Deadline.within(Duration.ofSeconds(1))))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(own))
                .verify(VERIFY);
        IOException io = new IOException("io");
        StepVerifier.create(Mono.error(io).transform(Deadline.within(Duration.ofSeconds(1))))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
    }

    @Test
    void cancellingCancelsTheSource() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> source.mono().transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .thenCancel()
                .verify(VERIFY);
        source.assertWasCancelled();
    }

    @Test
    void valueWaitsForDemand() {
        StepVerifier.create(Mono.just("a").transform(Deadline.within(Duration.ofSeconds(10))), 0)
                .expectSubscription()
                .thenRequest(1)
                .expectNext("a")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void nestedDeadlineKeepsTheTighterOuterOne() {
        StepVerifier.withVirtualTime(() -> Mono.never()
                        .transform(Deadline.within(Duration.ofSeconds(5)))
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(deadlineOf(Duration.ofSeconds(1)))
                .verify(VERIFY);
    }

    @Test
    void nestedTighterInnerDeadlineReplacesTheOuterOneUpstream() {
        StepVerifier.withVirtualTime(() -> Deadline.remaining()
                        .concatWith(Mono.never())
                        .transform(Deadline.withinFlux(Duration.ofSeconds(1)))
                        .transform(Deadline.withinFlux(Duration.ofSeconds(5))))
                .expectSubscription()
                .expectNext(Duration.ofSeconds(1))
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(deadlineOf(Duration.ofSeconds(1)))
                .verify(VERIFY);
    }

    @Test
    void innerCodeSeesTheTighterOuterDeadline() {
        StepVerifier.withVirtualTime(() -> Mono.delay(Duration.ofMillis(200))
                        .then(Deadline.remaining())
                        .transform(Deadline.within(Duration.ofSeconds(5)))
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(200))
                .expectNext(Duration.ofMillis(800))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void innerWithinFailsAtOnceWhenTheOuterDeadlineHasAlreadyPassed() {
        // The outer deadline has passed by its clock, but its timer has not fired (its thread is busy): the inner
        // operator must not start the source.
        FrozenTimerScheduler clock = new FrozenTimerScheduler();
        PublisherProbe<String> source = PublisherProbe.of(Mono.just("late"));
        Mono<String> call = Mono.defer(() -> {
                    clock.advance(Duration.ofSeconds(2));
                    return source.mono().transform(Deadline.within(Duration.ofSeconds(5)));
                })
                .transform(Deadline.within(Duration.ofSeconds(1), clock));
        StepVerifier.create(call)
                .expectErrorSatisfies(deadlineOf(Duration.ofSeconds(1)))
                .verify(VERIFY);
        source.assertWasNotSubscribed();
    }

    @Test
    void eachSubscriptionStartsItsOwnDeadline() {
        StepVerifier.withVirtualTime(() -> {
                    Mono<Duration> call = Mono.delay(Duration.ofMillis(300))
                            .then(Deadline.remaining())
                            .transform(Deadline.within(Duration.ofSeconds(1)));
                    return Flux.merge(call, Mono.delay(Duration.ofMillis(500)).then(call));
                })
                .expectSubscription()
                .thenAwait(Duration.ofMillis(300))
                .expectNext(Duration.ofMillis(700))
                .thenAwait(Duration.ofMillis(500))
                .expectNext(Duration.ofMillis(700))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void manyConcurrentSubscriptionsEachGetTheirValue() {
        Flux<Integer> all = Flux.range(0, 10_000)
                .flatMap(
                        i -> Mono.fromCallable(() -> i)
                                .subscribeOn(Schedulers.parallel())
                                .transform(Deadline.within(Duration.ofMinutes(1))),
                        256);
        StepVerifier.create(all.reduce(0L, (sum, i) -> sum + i))
                .expectNext(10_000L * 9_999 / 2)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    // ---- within (Flux) -------------------------------------------------------------------------------------------

    @Test
    void fluxDeadlineBoundsTheWholeStreamNotEachItem() {
        StepVerifier.withVirtualTime(() ->
                        Flux.interval(Duration.ofMillis(100)).transform(Deadline.withinFlux(Duration.ofMillis(350))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(300))
                .expectNext(0L, 1L, 2L)
                .expectNoEvent(Duration.ofMillis(49))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(deadlineOf(Duration.ofMillis(350)))
                .verify(VERIFY);
    }

    @Test
    void fluxCompletesAndFailsAsItsSource() {
        StepVerifier.create(Flux.range(1, 3).transform(Deadline.withinFlux(Duration.ofSeconds(1))))
                .expectNext(1, 2, 3)
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(Flux.empty().transform(Deadline.withinFlux(Duration.ofSeconds(1))))
                .expectComplete()
                .verify(VERIFY);
        IOException io = new IOException("io");
        StepVerifier.create(
                        Flux.concat(Flux.just(1), Flux.error(io)).transform(Deadline.withinFlux(Duration.ofSeconds(1))))
                .expectNext(1)
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
    }

    @Test
    void fluxHonoursBackpressureAndCancellation() {
        PublisherProbe<Integer> source = PublisherProbe.of(Flux.range(1, 100));
        StepVerifier.create(source.flux().transform(Deadline.withinFlux(Duration.ofSeconds(10))), 0)
                .expectSubscription()
                .thenRequest(2)
                .expectNext(1, 2)
                .thenCancel()
                .verify(VERIFY);
        source.assertWasCancelled();
    }

    @Test
    void nestedFluxDeadlineKeepsTheTighterOuterOne() {
        StepVerifier.withVirtualTime(() -> Flux.never()
                        .transform(Deadline.withinFlux(Duration.ofSeconds(5)))
                        .transform(Deadline.withinFlux(Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(deadlineOf(Duration.ofSeconds(1)))
                .verify(VERIFY);
    }

    // ---- remaining and current -----------------------------------------------------------------------------------

    @Test
    void remainingDecreasesWithVirtualTime() {
        StepVerifier.withVirtualTime(() -> Flux.concat(
                                Deadline.remaining(),
                                Mono.delay(Duration.ofMillis(250)).then(Deadline.remaining()),
                                Mono.delay(Duration.ofMillis(700)).then(Deadline.remaining()))
                        .transform(Deadline.withinFlux(Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNext(Duration.ofSeconds(1))
                .thenAwait(Duration.ofMillis(250))
                .expectNext(Duration.ofMillis(750))
                .thenAwait(Duration.ofMillis(700))
                .expectNext(Duration.ofMillis(50))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void remainingIsEmptyWithoutDeadline() {
        StepVerifier.create(Deadline.remaining()).expectComplete().verify(VERIFY);
    }

    @Test
    void remainingIsZeroNotNegativeOnceTheDeadlinePassed() {
        FrozenTimerScheduler clock = new FrozenTimerScheduler();
        Mono<Duration> left = Mono.defer(() -> {
                    clock.advance(Duration.ofSeconds(3));
                    return Deadline.remaining();
                })
                .transform(Deadline.within(Duration.ofSeconds(1), clock));
        StepVerifier.create(left).expectNext(Duration.ZERO).expectComplete().verify(VERIFY);
    }

    @Test
    void currentExposesTheDeadlineOfAContext() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        Mono<Optional<Deadline>> seen = Mono.deferContextual(context -> Mono.just(Deadline.current(context)));
        StepVerifier.create(seen.transform(Deadline.within(Duration.ofSeconds(2), clock)))
                .assertNext(deadline -> {
                    assertThat(deadline).isPresent();
                    assertThat(deadline.get().budget()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(deadline.get().timeLeft()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(deadline.get().isExpired()).isFalse();
                    assertThat(deadline.get()).hasToString("Deadline[budget=2000ms, timeLeft=2000ms]");
                    clock.advanceTimeBy(Duration.ofSeconds(2));
                    assertThat(deadline.get().isExpired()).isTrue();
                    assertThat(deadline.get().timeLeft()).isZero();
                })
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(seen).expectNext(Optional.empty()).expectComplete().verify(VERIFY);
    }

    // ---- timeout -------------------------------------------------------------------------------------------------

    @Test
    void timeoutWithoutDeadlineIsALocalTimeout() {
        StepVerifier.withVirtualTime(() -> Mono.never().transform(Deadline.timeout(Duration.ofMillis(300))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(299))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error).isExactlyInstanceOf(TimeoutException.class))
                .verify(VERIFY);
    }

    @Test
    void timeoutUsesTheDeadlineWhenItIsTighter() {
        StepVerifier.withVirtualTime(() -> Mono.delay(Duration.ofMillis(800))
                        .then(Mono.never().transform(Deadline.timeout(Duration.ofSeconds(10))))
                        .transform(Deadline.within(Duration.ofSeconds(1), Schedulers.parallel())))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(deadlineOf(Duration.ofSeconds(1)))
                .verify(VERIFY);
    }

    @Test
    void timeoutUsesTheLocalDurationWhenItIsTighter() {
        StepVerifier.withVirtualTime(() -> Mono.never()
                        .transform(Deadline.timeout(Duration.ofMillis(200)))
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(199))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error).isExactlyInstanceOf(TimeoutException.class))
                .verify(VERIFY);
    }

    @Test
    void timeoutFailsAtOnceWithoutSubscribingWhenTheDeadlineHasPassed() {
        FrozenTimerScheduler clock = new FrozenTimerScheduler();
        PublisherProbe<String> source = PublisherProbe.of(Mono.just("late"));
        Mono<String> call = Mono.defer(() -> {
                    clock.advance(Duration.ofSeconds(1));
                    return source.mono().transform(Deadline.timeout(Duration.ofSeconds(10)));
                })
                .transform(Deadline.within(Duration.ofSeconds(1), clock));
        StepVerifier.create(call)
                .expectErrorSatisfies(deadlineOf(Duration.ofSeconds(1)))
                .verify(VERIFY);
        source.assertWasNotSubscribed();
    }

    @Test
    void timeoutPassesValuesEmptyAndErrorsThrough() {
        StepVerifier.create(Mono.just(1).transform(Deadline.timeout(Duration.ofSeconds(1))))
                .expectNext(1)
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(Mono.empty().transform(Deadline.timeout(Duration.ofSeconds(1))))
                .expectComplete()
                .verify(VERIFY);
        IOException io = new IOException("io");
        StepVerifier.create(Mono.error(io).transform(Deadline.timeout(Duration.ofSeconds(1))))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
    }

    @Test
    void timeoutCancellationCancelsTheSource() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> source.mono()
                        .transform(Deadline.timeout(Duration.ofSeconds(1)))
                        .transform(Deadline.within(Duration.ofSeconds(2))))
                .expectSubscription()
                .thenCancel()
                .verify(VERIFY);
        source.assertWasCancelled();
    }

    // ---- bad arguments -------------------------------------------------------------------------------------------

    @Test
    void nullArgumentsAreRejectedByName() {
        assertThatNullPointerException().isThrownBy(() -> Deadline.within(null)).withMessage("budget");
        assertThatNullPointerException()
                .isThrownBy(() -> Deadline.within(Duration.ofSeconds(1), null))
                .withMessage("scheduler");
        assertThatNullPointerException()
                .isThrownBy(() -> Deadline.withinFlux(null))
                .withMessage("budget");
        assertThatNullPointerException()
                .isThrownBy(() -> Deadline.withinFlux(Duration.ofSeconds(1), null))
                .withMessage("scheduler");
        assertThatNullPointerException()
                .isThrownBy(() -> Deadline.timeout(null))
                .withMessage("local");
        assertThatNullPointerException()
                .isThrownBy(() -> Deadline.timeout(Duration.ofSeconds(1), null))
                .withMessage("scheduler");
        assertThatNullPointerException()
                .isThrownBy(() -> Deadline.current(null))
                .withMessage("context");
    }

    @Test
    void zeroAndNegativeDurationsAreRejected() {
        for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-1))) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Deadline.within(bad))
                    .withMessage("budget > 0 required but it was " + bad);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Deadline.withinFlux(bad))
                    .withMessage("budget > 0 required but it was " + bad);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Deadline.timeout(bad))
                    .withMessage("local > 0 required but it was " + bad);
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Deadline.within(Duration.ZERO))
                .withMessage("budget > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Deadline.timeout(Duration.ofSeconds(-1)))
                .withMessage("local > 0 required but it was PT-1S");
    }

    @Test
    void hugeBudgetsDoNotOverflow() {
        StepVerifier.create(Deadline.remaining().transform(Deadline.within(Duration.ofSeconds(Long.MAX_VALUE))))
                .assertNext(left -> assertThat(left).isPositive())
                .expectComplete()
                .verify(VERIFY);
    }
}
