package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.github.reactorpatterns.retry.RetryAttempt;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.ConcurrencyProbe;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class GatherSettledWithinTest {

    private static final Duration VERIFY = Duration.ofSeconds(10);

    /** A task that ends after {@code millis} with "v" + millis; 0 ms fails with IOException. */
    private static Mono<String> after(int millis) {
        if (millis == 0) {
            return Mono.error(new IOException("failed fast"));
        }
        return Mono.delay(Duration.ofMillis(millis)).thenReturn("v" + millis);
    }

    private static boolean isDeadline(Outcome<?> outcome, Duration budget) {
        return outcome.error()
                .filter(DeadlineExceededException.class::isInstance)
                .map(e -> ((DeadlineExceededException) e).budget().equals(budget))
                .orElse(false);
    }

    @Test
    void finishedResultsBehindASlowTaskAreKeptAtTheDeadline() {
        // Regression: Gather.settled(...) under Deadline.withinFlux lost the results that had finished in time but
        // waited (input order) behind a slow one. Here: [5 s, 100 ms, 200 ms] with a 1 s budget.
        Duration budget = Duration.ofSeconds(1);
        StepVerifier.withVirtualTime(() -> Flux.just(5000, 100, 200)
                        .transform(Gather.settledWithin(budget, 3, GatherSettledWithinTest::after)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(first ->
                        assertThat(isDeadline(first, budget)).as("%s", first).isTrue())
                .expectNext(Outcome.success("v100"), Outcome.success("v200"))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void inputsNotStartedByTheDeadlineSettleAsFailuresWithoutRunning() {
        Duration budget = Duration.ofMillis(250);
        AtomicInteger called = new AtomicInteger();
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        Function<Integer, Mono<String>> task = millis -> {
            called.incrementAndGet();
            return probe.wrap(after(millis));
        };
        StepVerifier.withVirtualTime(
                        () -> Flux.just(100, 100, 100, 100, 0).transform(Gather.settledWithin(budget, 1, task)))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(100))
                .expectNext(Outcome.success("v100"))
                .thenAwait(Duration.ofMillis(100))
                .expectNext(Outcome.success("v100"))
                .thenAwait(Duration.ofMillis(50))
                .assertNext(cut -> assertThat(isDeadline(cut, budget)).isTrue())
                .assertNext(neverStarted ->
                        assertThat(isDeadline(neverStarted, budget)).isTrue())
                .assertNext(neverStarted ->
                        assertThat(isDeadline(neverStarted, budget)).isTrue())
                .expectComplete()
                .verify(VERIFY);
        assertThat(called).as("the last two inputs arrived after the deadline").hasValue(3);
        probe.assertMaxAtMost(1);
        assertThat(probe.current()).isZero();
    }

    @Test
    void failuresBeforeTheDeadlineKeepTheirOwnError() {
        IllegalStateException thrown = new IllegalStateException("thrown");
        StepVerifier.withVirtualTime(() -> Flux.just(0, 1, 2, 3)
                        .transform(Gather.settledWithin(Duration.ofSeconds(1), 4, (Integer i) -> switch (i) {
                            case 0 -> after(0);
                            case 1 -> throw thrown;
                            case 2 -> null;
                            default -> Mono.empty();
                        })))
                .expectSubscription()
                .assertNext(o -> assertThat(o.error()).containsInstanceOf(IOException.class))
                .expectNext(Outcome.failure(thrown))
                .assertNext(o -> assertThat(o.error())
                        .get()
                        .isInstanceOf(NullPointerException.class)
                        .hasFieldOrPropertyWithValue("message", "task returned null"))
                .expectNext(Outcome.empty())
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void theTasksSeeTheDeadlineInTheirContext() {
        // a retry policy inside a task does not start a retry that cannot finish before the shared deadline
        List<RetryAttempt> gaveUp = new CopyOnWriteArrayList<>();
        List<Duration> remaining = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2)
                        .transform(Gather.settledWithin(
                                Duration.ofSeconds(1),
                                2,
                                (Integer i) -> Deadline.remaining()
                                        .doOnNext(remaining::add)
                                        .then(Mono.error(new IOException("down")))
                                        .retryWhen(RetryPolicy.fixed(3, Duration.ofSeconds(2))
                                                .onGiveUp(gaveUp::add)
                                                .build()))))
                .expectSubscription()
                .assertNext(o -> assertThat(o.error()).containsInstanceOf(IOException.class))
                .assertNext(o -> assertThat(o.error()).containsInstanceOf(IOException.class))
                .expectComplete()
                .verify(VERIFY);
        assertThat(remaining).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(gaveUp)
                .extracting(RetryAttempt::reason)
                .containsExactly(RetryAttempt.Reason.DEADLINE, RetryAttempt.Reason.DEADLINE);
    }

    @Test
    void aLaterOuterDeadlineDoesNotExtendTheBudget() {
        Duration budget = Duration.ofSeconds(1);
        StepVerifier.withVirtualTime(() -> Flux.just(100, 5000, 100)
                        .transform(Gather.settledWithin(budget, 1, GatherSettledWithinTest::after))
                        .collectList()
                        .transform(Deadline.within(Duration.ofSeconds(20))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(outcomes -> {
                    assertThat(outcomes).hasSize(3);
                    assertThat(outcomes.get(0)).isEqualTo(Outcome.success("v100"));
                    assertThat(isDeadline(outcomes.get(1), budget)).isTrue();
                    assertThat(isDeadline(outcomes.get(2), budget)).isTrue();
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void emptySourceCompletesAtOnce() {
        StepVerifier.create(Flux.<Integer>empty()
                        .transform(Gather.settledWithin(Duration.ofSeconds(1), 2, GatherSettledWithinTest::after)))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void anErrorOfTheSourceFailsTheStream() {
        IOException sourceDown = new IOException("source down");
        StepVerifier.create(Flux.just(1)
                        .concatWith(Flux.error(sourceDown))
                        .transform(Gather.settledWithin(Duration.ofSeconds(1), 2, (Integer i) -> Mono.just("v" + i))))
                .expectNext(Outcome.success("v1"))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(sourceDown))
                .verify(VERIFY);
    }

    @Test
    void backpressureHoldsTheSourceAndTheTasks() {
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(
                        source.flux()
                                .transform(
                                        Gather.settledWithin(Duration.ofSeconds(10), 2, (Integer i) -> Mono.just(i))),
                        0)
                .expectSubscription()
                .then(() -> source.assertMinRequested(2).assertMaxRequested(2))
                .thenRequest(1)
                .then(() -> source.next(1, 2))
                .expectNext(Outcome.success(1))
                .then(() -> source.assertMaxRequested(1))
                .thenCancel()
                .verify(VERIFY);
        source.assertCancelled();
    }

    @Test
    void cancellingCancelsTheRunningTasks() {
        PublisherProbe<String> running = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> Flux.just(1, 2)
                        .transform(Gather.settledWithin(Duration.ofSeconds(10), 2, (Integer i) -> running.mono())))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .thenCancel()
                .verify(VERIFY);
        running.assertWasCancelled();
    }

    @Test
    void isLazyAndEachSubscriptionHasItsOwnDeadline() {
        AtomicInteger calls = new AtomicInteger();
        Duration budget = Duration.ofSeconds(1);
        StepVerifier.withVirtualTime(() -> {
                    Flux<Outcome<String>> flux = Flux.just(500)
                            .transform(Gather.settledWithin(budget, 1, (Integer ms) -> {
                                calls.incrementAndGet();
                                return after(ms);
                            }));
                    assertThat(calls).hasValue(0);
                    return Mono.delay(Duration.ofSeconds(5)).thenMany(flux).concatWith(flux);
                })
                .expectSubscription()
                .thenAwait(Duration.ofMillis(5500))
                .expectNext(Outcome.success("v500"))
                .thenAwait(Duration.ofMillis(500))
                .expectNext(Outcome.success("v500"))
                .expectComplete()
                .verify(VERIFY);
        assertThat(calls).hasValue(2);
    }

    @Test
    void jvmFatalErrorsAreNotCaptured() {
        OutOfMemoryError oom = new OutOfMemoryError("test: not a real one");
        Flux<Outcome<String>> flux = Flux.just(1)
                .transform(Gather.settledWithin(Duration.ofSeconds(1), 1, (Integer i) -> {
                    throw oom;
                }));
        assertThat(catchThrowable(() -> flux.subscribe())).isSameAs(oom);
    }

    @Test
    void realTimeDeadlineCutsARealSlowTask() {
        Duration budget = Duration.ofMillis(200);
        long start = Schedulers.parallel().now(TimeUnit.MILLISECONDS);
        StepVerifier.create(
                        Flux.just(60_000, 1).transform(Gather.settledWithin(budget, 2, GatherSettledWithinTest::after)))
                .assertNext(o -> assertThat(isDeadline(o, budget)).isTrue())
                .expectNext(Outcome.success("v1"))
                .expectComplete()
                .verify(VERIFY);
        assertThat(Schedulers.parallel().now(TimeUnit.MILLISECONDS) - start).isGreaterThanOrEqualTo(190);
    }

    @Test
    void badArgumentsFailAtOnce() {
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.settledWithin(null, 1, GatherSettledWithinTest::after))
                .withMessage("budget");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.settledWithin(Duration.ZERO, 1, GatherSettledWithinTest::after))
                .withMessage("budget > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.settledWithin(Duration.ofSeconds(1), 0, GatherSettledWithinTest::after))
                .withMessage("concurrency > 0 required but it was 0");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.settledWithin(Duration.ofSeconds(1), 1, null))
                .withMessage("task");
    }
}
