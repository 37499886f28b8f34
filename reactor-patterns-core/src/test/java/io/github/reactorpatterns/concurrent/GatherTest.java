package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class GatherTest {

    /** The three streaming operators, to run the shared properties against each. */
    enum Mode {
        ORDERED,
        UNORDERED,
        SETTLED;

        <T, R> Function<Flux<T>, Flux<Object>> apply(
                int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
            return switch (this) {
                case ORDERED ->
                    flux -> flux.transform(Gather.<T, R>ordered(concurrency, task))
                            .cast(Object.class);
                case UNORDERED ->
                    flux -> flux.transform(Gather.<T, R>unordered(concurrency, task))
                            .cast(Object.class);
                case SETTLED ->
                    flux -> flux.transform(Gather.<T, R>settled(concurrency, task))
                            .cast(Object.class);
            };
        }
    }

    // ---- normal flow and order

    @Test
    void orderedKeepsInputOrderWhateverTheCompletionOrder() {
        StepVerifier.withVirtualTime(() -> Flux.range(0, 10)
                        .transform(Gather.ordered(
                                10,
                                i -> Mono.delay(Duration.ofMillis(100 - i * 10)).thenReturn(i))))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void unorderedEmitsInCompletionOrder() {
        StepVerifier.withVirtualTime(() -> Flux.range(0, 5)
                        .transform(Gather.unordered(
                                5,
                                i -> Mono.delay(Duration.ofMillis(50 - i * 10)).thenReturn(i))))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(4, 3, 2, 1, 0)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void settledGivesOneOutcomePerInputInInputOrder() {
        IOException boom = new IOException("boom");
        StepVerifier.withVirtualTime(() -> Flux.range(0, 4)
                        .transform(Gather.<Integer, Integer>settled(4, i -> switch (i) {
                            case 1 -> Mono.delay(Duration.ofMillis(10)).then(Mono.error(boom));
                            case 2 -> Mono.delay(Duration.ofMillis(5)).then(Mono.empty());
                            default ->
                                Mono.delay(Duration.ofMillis(40 - i * 10)).thenReturn(i * 10);
                        })))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(Outcome.success(0), Outcome.failure(boom), Outcome.empty(), Outcome.success(30))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void tenTasksOfOneSecondAtConcurrencyFiveTakeTwoSeconds() {
        StepVerifier.withVirtualTime(() -> Flux.range(0, 10)
                        .transform(Gather.ordered(
                                5, i -> Mono.delay(Duration.ofSeconds(1)).thenReturn(i))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(0, 1, 2, 3, 4)
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(5, 6, 7, 8, 9)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void orderedAndUnorderedEmitNothingForAnEmptyTask() {
        Function<Integer, Mono<Integer>> task = i -> i % 2 == 0 ? Mono.empty() : Mono.just(i);
        StepVerifier.create(Flux.range(0, 6).transform(Gather.ordered(2, task)))
                .expectNext(1, 3, 5)
                .verifyComplete();
        StepVerifier.create(
                        Flux.range(0, 6).transform(Gather.unordered(2, task)).sort())
                .expectNext(1, 3, 5)
                .verifyComplete();
    }

    // ---- concurrency limit

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 64})
    void exactlyConcurrencyTasksRunWhileWorkIsPending(int concurrency) {
        for (Mode mode : Mode.values()) {
            ConcurrencyProbe probe = ConcurrencyProbe.create();
            int inputs = concurrency * 3 + 1;
            List<Sinks.One<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < inputs; i++) {
                tasks.add(Sinks.one());
            }
            List<Object> results = new CopyOnWriteArrayList<>();
            Flux.range(0, inputs)
                    .transform(mode.<Integer, Integer>apply(
                            concurrency, i -> probe.wrap(tasks.get(i).asMono())))
                    .subscribe(results::add);
            for (int i = 0; i < inputs; i++) {
                int pending = inputs - i;
                assertThat(probe.current())
                        .as("%s running with %d pending", mode, pending)
                        .isEqualTo(Math.min(concurrency, pending));
                tasks.get(i).tryEmitValue(i);
            }
            assertThat(probe.current()).isZero();
            assertThat(probe.max()).isEqualTo(concurrency);
            assertThat(probe.total()).isEqualTo(inputs);
            assertThat(results).hasSize(inputs);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 64})
    void neverMoreThanConcurrencyTasksOnManyThreads(int concurrency) {
        for (Mode mode : Mode.values()) {
            ConcurrencyProbe probe = ConcurrencyProbe.create();
            Long count = Flux.range(0, 2_000)
                    .transform(mode.<Integer, Integer>apply(
                            concurrency,
                            i -> probe.wrap(Mono.fromCallable(() -> i).subscribeOn(Schedulers.parallel()))))
                    .count()
                    .block(Duration.ofSeconds(30));
            assertThat(count).isEqualTo(2_000L);
            probe.assertMaxAtMost(concurrency);
            assertThat(probe.total()).isEqualTo(2_000L);
        }
    }

    // ---- errors

    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"ORDERED", "UNORDERED"})
    void firstErrorCancelsRunningAndPendingTasksAndPropagatesUnchanged(Mode mode) {
        IOException boom = new IOException("boom");
        PublisherProbe<Integer> first = PublisherProbe.of(Mono.never());
        TestPublisher<Integer> failing = TestPublisher.create();
        PublisherProbe<Integer> third = PublisherProbe.of(Mono.never());
        PublisherProbe<Integer> pending = PublisherProbe.of(Mono.just(3));
        PublisherProbe<Integer> source = PublisherProbe.of(Flux.range(0, 10));
        List<Mono<Integer>> tasks = List.of(first.mono(), failing.mono(), third.mono(), pending.mono());

        StepVerifier.create(source.flux().transform(mode.<Integer, Integer>apply(3, i -> tasks.get(Math.min(i, 3)))))
                .expectSubscription()
                .then(() -> failing.error(boom))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(boom))
                .verify(Duration.ofSeconds(5));

        first.assertWasCancelled();
        third.assertWasCancelled();
        pending.assertWasNotSubscribed();
        source.assertWasCancelled();
    }

    @Test
    void settledKeepsGoingAfterAFailedTask() {
        IOException boom = new IOException("boom");
        StepVerifier.create(Flux.range(0, 5)
                        .transform(Gather.<Integer, Integer>settled(2, i -> i == 1 ? Mono.error(boom) : Mono.just(i))))
                .expectNext(
                        Outcome.success(0),
                        Outcome.failure(boom),
                        Outcome.success(2),
                        Outcome.success(3),
                        Outcome.success(4))
                .verifyComplete();
    }

    @Test
    void settledFailsOnASourceErrorAndCancelsRunningTasks() {
        IllegalStateException sourceError = new IllegalStateException("source");
        PublisherProbe<Integer> running = PublisherProbe.of(Mono.never());
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(Gather.<Integer, Integer>settled(2, i -> running.mono())))
                .then(() -> source.next(1))
                .then(() -> source.error(sourceError))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(sourceError))
                .verify(Duration.ofSeconds(5));
        running.assertWasCancelled();
    }

    @Test
    void taskFunctionThatThrowsFailsOrderedAndUnorderedUnchanged() {
        IllegalStateException bad = new IllegalStateException("bad input");
        Function<Integer, Mono<Integer>> task = i -> {
            if (i == 2) {
                throw bad;
            }
            return Mono.just(i);
        };
        StepVerifier.create(Flux.range(0, 5).transform(Gather.ordered(1, task)))
                .expectNext(0, 1)
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(bad))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(Flux.range(0, 5).transform(Gather.unordered(1, task)))
                .expectNext(0, 1)
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(bad))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void taskFunctionThatReturnsNullFailsOrdered() {
        StepVerifier.create(Flux.range(0, 3).transform(Gather.<Integer, Integer>ordered(1, i -> null)))
                .expectError(NullPointerException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void taskFunctionThatThrowsOrReturnsNullBecomesAFailureInSettled() {
        IllegalStateException bad = new IllegalStateException("bad input");
        StepVerifier.create(Flux.range(0, 3).transform(Gather.<Integer, Integer>settled(2, i -> {
                    if (i == 0) {
                        throw bad;
                    }
                    return i == 1 ? null : Mono.just(i);
                })))
                .expectNext(Outcome.failure(bad))
                .assertNext(outcome -> assertThat(outcome.error())
                        .get()
                        .isInstanceOf(NullPointerException.class)
                        .extracting(Throwable::getMessage)
                        .isEqualTo("task returned null"))
                .expectNext(Outcome.success(2))
                .verifyComplete();
    }

    // ---- empty source

    @ParameterizedTest
    @EnumSource(Mode.class)
    void emptySourceCompletesWithoutCallingTheTask(Mode mode) {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.create(Flux.<Integer>empty().transform(mode.<Integer, Integer>apply(4, i -> {
                    calls.incrementAndGet();
                    return Mono.just(i);
                })))
                .verifyComplete();
        assertThat(calls).hasValue(0);
    }

    // ---- backpressure

    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"ORDERED", "SETTLED"})
    void withoutDemandOnlyConcurrencyElementsAreRequestedAndStarted(Mode mode) {
        AtomicLong requested = new AtomicLong();
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        StepVerifier.create(
                        Flux.range(0, 100)
                                .doOnRequest(n -> requested.addAndGet(n))
                                .transform(mode.<Integer, Integer>apply(
                                        4, i -> probe.wrap(Mono.just(i).hide()))),
                        0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(20))
                .then(() -> {
                    assertThat(requested).hasValue(4);
                    assertThat(probe.total()).isEqualTo(4);
                })
                .thenRequest(2)
                .expectNextCount(2)
                .then(() -> {
                    assertThat(requested).hasValue(6);
                    assertThat(probe.total()).isEqualTo(6);
                })
                .thenCancel()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void unorderedHonoursDownstreamDemand() {
        StepVerifier.create(
                        Flux.range(0, 100)
                                .transform(Gather.unordered(4, i -> Mono.just(i).hide())),
                        3)
                .expectNextCount(3)
                .expectNoEvent(Duration.ofMillis(20))
                .thenRequest(97)
                .expectNextCount(97)
                .verifyComplete();
    }

    // ---- cancellation

    @ParameterizedTest
    @EnumSource(Mode.class)
    void cancellingDownstreamCancelsSourceAndRunningTasks(Mode mode) {
        List<PublisherProbe<Integer>> tasks = new ArrayList<>();
        PublisherProbe<Integer> source = PublisherProbe.of(Flux.range(0, 10));
        Disposable subscription = source.flux()
                .transform(mode.<Integer, Integer>apply(3, i -> {
                    PublisherProbe<Integer> task = PublisherProbe.of(Mono.never());
                    tasks.add(task);
                    return task.mono();
                }))
                .subscribe();
        subscription.dispose();
        assertThat(tasks).hasSize(3);
        tasks.forEach(PublisherProbe::assertWasCancelled);
        source.assertWasCancelled();
    }

    // ---- size, laziness

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hundredThousandSynchronousTasksCompleteWithoutStackOverflow(Mode mode) {
        for (int concurrency : new int[] {1, 256}) {
            StepVerifier.create(Flux.range(0, 100_000)
                            .transform(mode.<Integer, Integer>apply(
                                    concurrency, i -> Mono.just(i).hide()))
                            .count())
                    .expectNext(100_000L)
                    .verifyComplete();
            StepVerifier.create(Flux.range(0, 100_000)
                            .transform(mode.<Integer, Integer>apply(concurrency, Mono::just))
                            .count())
                    .expectNext(100_000L)
                    .verifyComplete();
        }
    }

    @Test
    void isLazyAndRunsAgainOnResubscription() {
        AtomicInteger calls = new AtomicInteger();
        Flux<Integer> gathered = Flux.range(0, 3).transform(Gather.ordered(2, i -> {
            calls.incrementAndGet();
            return Mono.just(i);
        }));
        assertThat(calls).hasValue(0);
        gathered.blockLast(Duration.ofSeconds(5));
        gathered.blockLast(Duration.ofSeconds(5));
        assertThat(calls).hasValue(6);
    }

    // ---- all and allSettled

    @Test
    void allCollectsInInputOrderAndSkipsEmptyTasks() {
        StepVerifier.withVirtualTime(() -> Gather.all(
                        List.of(3, 2, 1, 0),
                        4,
                        i -> i == 0
                                ? Mono.<Integer>empty()
                                : Mono.delay(Duration.ofSeconds(i)).thenReturn(i)))
                .thenAwait(Duration.ofSeconds(3))
                .expectNext(List.of(3, 2, 1))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void allFailsWithTheFirstErrorUnchangedAndCancelsTheRest() {
        IOException boom = new IOException("boom");
        PublisherProbe<Integer> other = PublisherProbe.of(Mono.never());
        StepVerifier.create(Gather.all(List.of(0, 1), 2, i -> i == 0 ? other.mono() : Mono.<Integer>error(boom)))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(boom))
                .verify(Duration.ofSeconds(5));
        other.assertWasCancelled();
    }

    @Test
    void allOfNoInputsIsAnEmptyList() {
        StepVerifier.create(Gather.all(List.<Integer>of(), 2, Mono::just))
                .expectNext(List.of())
                .verifyComplete();
    }

    @Test
    void allSettledReportsSuccessesAndFailuresInInputOrder() {
        IOException io = new IOException("io");
        IllegalStateException state = new IllegalStateException("state");
        StepVerifier.create(Gather.<Integer, Integer>allSettled(List.of(0, 1, 2, 3, 4), 2, i -> switch (i) {
                    case 1 -> Mono.error(io);
                    case 3 -> Mono.error(state);
                    case 4 -> Mono.empty();
                    default -> Mono.just(i);
                }))
                .assertNext(settled -> {
                    assertThat(settled.total()).isEqualTo(5);
                    assertThat(settled.successes()).containsExactly(0, 2);
                    assertThat(settled.successCount()).isEqualTo(3);
                    assertThat(settled.failures()).containsExactly(io, state);
                    assertThat(settled.failuresOf(IOException.class)).containsExactly(io);
                    assertThat(settled.allSucceeded()).isFalse();
                })
                .verifyComplete();
    }

    @Test
    void allSettledOfNoInputsIsEmpty() {
        StepVerifier.create(Gather.allSettled(List.<Integer>of(), 2, Mono::just))
                .assertNext(settled -> {
                    assertThat(settled.total()).isZero();
                    assertThat(settled.allSucceeded()).isTrue();
                })
                .verifyComplete();
    }

    // ---- bad arguments

    @Test
    void concurrencyMustBePositive() {
        Function<Integer, Mono<Integer>> task = Mono::just;
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.ordered(0, task))
                .withMessage("concurrency > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.unordered(-1, task))
                .withMessage("concurrency > 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.settled(0, task))
                .withMessage("concurrency > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.all(List.of(1), 0, task))
                .withMessage("concurrency > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Gather.allSettled(List.of(1), 0, task))
                .withMessage("concurrency > 0 required but it was 0");
    }

    @Test
    void nullArgumentsAreNamed() {
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.ordered(1, null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.unordered(1, null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.settled(1, null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.all(null, 1, Mono::just))
                .withMessage("inputs");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.all(List.of(1), 1, null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.allSettled(null, 1, Mono::just))
                .withMessage("inputs");
        assertThatNullPointerException()
                .isThrownBy(() -> Gather.allSettled(List.of(1), 1, null))
                .withMessage("task");
    }
}
