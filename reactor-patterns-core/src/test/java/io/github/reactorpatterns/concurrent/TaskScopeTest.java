package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static reactor.test.publisher.TestPublisher.Violation.DEFER_CANCELLATION;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;
import reactor.test.util.RaceTestUtils;

class TaskScopeTest {

    // ---- all

    @Test
    void allRunsEveryTaskAtOnceAndKeepsTheOrder() {
        StepVerifier.withVirtualTime(() -> TaskScope.all(List.of(
                        Mono.delay(Duration.ofSeconds(3)).thenReturn("a"),
                        Mono.delay(Duration.ofSeconds(1)).thenReturn("b"),
                        Mono.delay(Duration.ofSeconds(2)).thenReturn("c"))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(List.of("a", "b", "c"))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void allFirstFailureCancelsTheSiblings() {
        IOException boom = new IOException("boom");
        PublisherProbe<String> sibling = PublisherProbe.of(Mono.never());
        TestPublisher<String> failing = TestPublisher.create();
        StepVerifier.create(TaskScope.all(List.of(sibling.mono(), failing.mono())))
                .then(() -> failing.error(boom))
                .expectErrorSatisfies(error -> {
                    assertThat(error)
                            .isInstanceOf(TaskGroupException.class)
                            .hasMessage("1 task failed; first: java.io.IOException: boom")
                            .hasCause(boom);
                    assertThat(((TaskGroupException) error).exceptions()).containsExactly(boom);
                })
                .verify(Duration.ofSeconds(5));
        sibling.assertWasCancelled();
    }

    /**
     * Cancelling one task (closing a shared connection, say) makes another fail before the group has finished
     * cancelling: both failures are reported, in the order they occurred, as {@code TaskGroup} does.
     */
    @Test
    void allReportsEveryFailureThatOccursBeforeTheSiblingsFinishedCancelling() {
        IOException first = new IOException("first");
        IllegalStateException second = new IllegalStateException("connection closed");
        TestPublisher<String> failing = TestPublisher.create();
        TestPublisher<String> sharingTheConnection = TestPublisher.create();
        Mono<String> closesTheConnectionOnCancel =
                Mono.<String>never().doOnCancel(() -> sharingTheConnection.error(second));
        StepVerifier.create(TaskScope.all(
                        List.of(failing.mono(), closesTheConnectionOnCancel, sharingTheConnection.mono())))
                .then(() -> failing.error(first))
                .expectErrorSatisfies(error -> {
                    TaskGroupException group = (TaskGroupException) error;
                    assertThat(group.exceptions()).containsExactly(first, second);
                    assertThat(group).hasMessage("2 tasks failed; first: java.io.IOException: first");
                    assertThat(group.getSuppressed()).containsExactly(second);
                    assertThat(group.exceptionsOf(IllegalStateException.class)).containsExactly(second);
                })
                .verify(Duration.ofSeconds(5));
    }

    /**
     * Two tasks fail at the same moment on two threads, thousands of times: each failure is either in the group or,
     * if it lost the race against its cancellation, handed to {@code Hooks.onErrorDropped}; never lost, never twice.
     */
    @Test
    void racingFailuresAreReportedOrDroppedNeverLost() {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            for (int i = 0; i < 2_000; i++) {
                dropped.clear();
                IOException a = new IOException("a" + i);
                IOException b = new IOException("b" + i);
                // non-compliant on purpose: a real task may still signal after cancel, and TestPublisher.create()
                // would swallow such a signal instead of delivering it
                TestPublisher<Integer> first = TestPublisher.createNoncompliant(DEFER_CANCELLATION);
                TestPublisher<Integer> second = TestPublisher.createNoncompliant(DEFER_CANCELLATION);
                AtomicReference<Throwable> result = new AtomicReference<>();
                TaskScope.all(List.of(first.mono(), second.mono())).subscribe(v -> {}, result::set);
                RaceTestUtils.race(() -> first.error(a), () -> second.error(b));
                TaskGroupException group = (TaskGroupException) result.get();
                assertThat(group).isNotNull();
                List<Throwable> seen = new ArrayList<>(group.exceptions());
                seen.addAll(dropped);
                assertThat(seen).containsExactlyInAnyOrder(a, b);
            }
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    /** A task whose cleanup fails while it is cancelled (a failed rollback): its failure belongs to the group. */
    @Test
    void aTaskThatFailsWhileBeingCancelledIsReportedToo() {
        IOException first = new IOException("first");
        IllegalStateException rollback = new IllegalStateException("rollback failed");
        TestPublisher<String> failing = TestPublisher.create();
        StepVerifier.create(TaskScope.all(List.of(failsWhenCancelled(rollback), failing.mono())))
                .then(() -> failing.error(first))
                .expectErrorSatisfies(error ->
                        assertThat(((TaskGroupException) error).exceptions()).containsExactly(first, rollback))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aFailureWhileTheSubscriberCancelsIsDroppedNotLost() {
        IllegalStateException rollback = new IllegalStateException("rollback failed");
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        try {
            AtomicReference<Throwable> signalled = new AtomicReference<>();
            TaskScope.all(List.of(failsWhenCancelled(rollback)))
                    .subscribe(v -> {}, signalled::set)
                    .dispose();
            assertThat(signalled.get()).isNull();
            assertThat(dropped).containsExactly(rollback);
        } finally {
            Hooks.resetOnErrorDropped();
        }
    }

    private static Mono<String> failsWhenCancelled(Throwable error) {
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super String> actual) {
                actual.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {}

                    @Override
                    public void cancel() {
                        actual.onError(error);
                    }
                });
            }
        };
    }

    @Test
    void allSkipsAnEmptyTask() {
        StepVerifier.create(TaskScope.all(List.of(Mono.just(1), Mono.<Integer>empty(), Mono.just(3))))
                .expectNext(List.of(1, 3))
                .verifyComplete();
        StepVerifier.create(TaskScope.all(List.of(Mono.just(1), Mono.<Integer>empty()).stream()
                        .map(task -> task.map(Optional::of).defaultIfEmpty(Optional.empty()))
                        .toList()))
                .expectNext(List.of(Optional.of(1), Optional.empty()))
                .verifyComplete();
    }

    @Test
    void allOfNoTasksIsAnEmptyList() {
        StepVerifier.create(TaskScope.all(List.<Mono<String>>of()))
                .expectNext(List.of())
                .verifyComplete();
    }

    @Test
    void cancellingAllCancelsEveryTask() {
        PublisherProbe<String> one = PublisherProbe.of(Mono.never());
        PublisherProbe<String> two = PublisherProbe.of(Mono.never());
        TaskScope.all(List.of(one.mono(), two.mono())).subscribe().dispose();
        one.assertWasCancelled();
        two.assertWasCancelled();
    }

    @Test
    void allIsLazyAndRunsEveryTaskAgainOnResubscription() {
        PublisherProbe<String> task = PublisherProbe.of(Mono.just("a"));
        Mono<List<String>> all = TaskScope.all(List.of(task.mono()));
        task.assertWasNotSubscribed();
        all.block(Duration.ofSeconds(5));
        all.block(Duration.ofSeconds(5));
        assertThat(task.subscribeCount()).isEqualTo(2);
    }

    @Test
    void allRejectsNulls() {
        assertThatNullPointerException().isThrownBy(() -> TaskScope.all(null)).withMessage("tasks");
        assertThatNullPointerException()
                .isThrownBy(() -> TaskScope.all(Arrays.asList(Mono.just(1), null)))
                .withMessage("tasks contains null");
    }

    // ---- open and fork

    @Test
    void forksStartAtOnceAndTheScopeWaitsForTheBodyAndEveryFork() {
        PublisherProbe<Long> fork = PublisherProbe.of(Mono.delay(Duration.ofSeconds(2)));
        StepVerifier.withVirtualTime(() -> TaskScope.open(scope -> {
                    scope.fork(fork.mono());
                    fork.assertWasSubscribed();
                    return Mono.delay(Duration.ofSeconds(1));
                }))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void handleReplaysTheResultAndDoesNotRerunTheTask() {
        PublisherProbe<String> task = PublisherProbe.of(Mono.just("value"));
        AtomicReference<Mono<String>> handle = new AtomicReference<>();
        List<String> seen = new ArrayList<>();
        StepVerifier.create(TaskScope.open(scope -> {
                    handle.set(scope.fork(task.mono()));
                    return handle.get().doOnNext(seen::add).then(handle.get().doOnNext(seen::add));
                }))
                .verifyComplete();
        assertThat(handle.get().block(Duration.ofSeconds(1))).isEqualTo("value");
        assertThat(seen).containsExactly("value", "value");
        assertThat(task.subscribeCount()).isEqualTo(1);
    }

    @Test
    void handleOfAnEmptyTaskCompletesEmpty() {
        StepVerifier.create(TaskScope.open(scope -> scope.fork(Mono.empty())
                        .hasElement()
                        .doOnNext(has -> assertThat(has).isFalse())))
                .verifyComplete();
    }

    @Test
    void forkFailureCancelsTheBodyAndTheOtherForks() {
        IOException boom = new IOException("boom");
        PublisherProbe<Void> body = PublisherProbe.of(Mono.never());
        PublisherProbe<String> sibling = PublisherProbe.of(Mono.never());
        TestPublisher<String> failing = TestPublisher.create();
        StepVerifier.create(TaskScope.open(scope -> {
                    scope.fork(sibling.mono());
                    scope.fork(failing.mono());
                    return body.mono();
                }))
                .then(() -> failing.error(boom))
                .expectErrorSatisfies(error ->
                        assertThat(((TaskGroupException) error).exceptions()).containsExactly(boom))
                .verify(Duration.ofSeconds(5));
        body.assertWasCancelled();
        sibling.assertWasCancelled();
    }

    @Test
    void bodyFailureCancelsTheForks() {
        IllegalStateException boom = new IllegalStateException("body");
        PublisherProbe<String> fork = PublisherProbe.of(Mono.never());
        TestPublisher<String> body = TestPublisher.create();
        StepVerifier.create(TaskScope.open(scope -> {
                    scope.fork(fork.mono());
                    return body.flux();
                }))
                .then(() -> body.error(boom))
                .expectErrorSatisfies(error ->
                        assertThat(((TaskGroupException) error).exceptions()).containsExactly(boom))
                .verify(Duration.ofSeconds(5));
        fork.assertWasCancelled();
    }

    @Test
    void anErrorSeenThroughAHandleIsReportedOnce() {
        IOException boom = new IOException("boom");
        StepVerifier.create(TaskScope.open(
                        scope -> scope.fork(Mono.delay(Duration.ofMillis(1)).then(Mono.error(boom)))))
                .expectErrorSatisfies(error ->
                        assertThat(((TaskGroupException) error).exceptions()).containsExactly(boom))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void bodyThatThrowsOrReturnsNullFailsTheScope() {
        IllegalStateException thrown = new IllegalStateException("thrown");
        StepVerifier.create(TaskScope.open(scope -> {
                    throw thrown;
                }))
                .expectErrorSatisfies(error ->
                        assertThat(((TaskGroupException) error).exceptions()).containsExactly(thrown))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(TaskScope.open(scope -> null))
                .expectErrorSatisfies(error -> assertThat(((TaskGroupException) error).exceptions())
                        .singleElement()
                        .isInstanceOf(NullPointerException.class)
                        .extracting(Throwable::getMessage)
                        .isEqualTo("body returned null"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void forkWhileShuttingDownIsNotStartedAndItsHandleIsCancelled() {
        IOException boom = new IOException("boom");
        PublisherProbe<String> late = PublisherProbe.of(Mono.just("late"));
        AtomicReference<Mono<String>> handle = new AtomicReference<>();
        StepVerifier.create(TaskScope.open(scope -> {
                    scope.fork(Mono.error(boom));
                    handle.set(scope.fork(late.mono()));
                    return Mono.empty();
                }))
                .expectErrorSatisfies(error ->
                        assertThat(((TaskGroupException) error).exceptions()).containsExactly(boom))
                .verify(Duration.ofSeconds(5));
        late.assertWasNotSubscribed();
        StepVerifier.create(handle.get())
                .expectError(CancellationException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aRunningForkMayForkAfterTheBodyCompleted() {
        List<String> done = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> TaskScope.open(scope -> {
                    scope.fork(Mono.delay(Duration.ofSeconds(1))
                            .doOnNext(t ->
                                    scope.fork(Mono.delay(Duration.ofSeconds(1)).doOnNext(u -> done.add("second")))));
                    return Mono.empty();
                }))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(done).containsExactly("second");
    }

    @Test
    void forkAfterTheScopeEndedIsRefused() {
        AtomicReference<TaskScope> escaped = new AtomicReference<>();
        TaskScope.open(scope -> {
                    escaped.set(scope);
                    return Mono.empty();
                })
                .block(Duration.ofSeconds(5));
        assertThatIllegalStateException()
                .isThrownBy(() -> escaped.get().fork(Mono.just(1)))
                .withMessage("fork after the scope ended");
    }

    @Test
    void nestedScopesReportTheInnerGroupAndCancelTheOuterSiblings() {
        IOException boom = new IOException("inner");
        PublisherProbe<String> outerSibling = PublisherProbe.of(Mono.never());
        TestPublisher<String> innerFailing = TestPublisher.create();
        StepVerifier.create(TaskScope.open(outer -> {
                    outer.fork(outerSibling.mono());
                    return outer.fork(TaskScope.open(inner -> inner.fork(innerFailing.mono())));
                }))
                .then(() -> innerFailing.error(boom))
                .expectErrorSatisfies(error -> {
                    TaskGroupException group = (TaskGroupException) error;
                    assertThat(group.exceptions())
                            .singleElement()
                            .isInstanceOfSatisfying(
                                    TaskGroupException.class,
                                    inner -> assertThat(inner.exceptions()).containsExactly(boom));
                })
                .verify(Duration.ofSeconds(5));
        outerSibling.assertWasCancelled();
    }

    @Test
    void nestedScopesCompleteTogether() {
        List<String> done = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> TaskScope.open(outer -> {
                    outer.fork(Mono.delay(Duration.ofSeconds(1)).doOnNext(t -> done.add("outer")));
                    return TaskScope.open(inner ->
                            inner.fork(Mono.delay(Duration.ofSeconds(2)).doOnNext(t -> done.add("inner"))));
                }))
                .thenAwait(Duration.ofSeconds(2))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(done).containsExactly("outer", "inner");
    }

    @Test
    void cancellingTheScopeFromOutsideCancelsTheBodyAndEveryForkNestedOnesIncluded() {
        PublisherProbe<Void> body = PublisherProbe.of(Mono.never());
        PublisherProbe<String> fork = PublisherProbe.of(Mono.never());
        PublisherProbe<String> nestedFork = PublisherProbe.of(Mono.never());
        AtomicReference<Mono<String>> handle = new AtomicReference<>();
        Disposable subscription = TaskScope.open(scope -> {
                    handle.set(scope.fork(fork.mono()));
                    scope.fork(TaskScope.open(inner -> inner.fork(nestedFork.mono())));
                    return body.mono();
                })
                .subscribe();
        subscription.dispose();
        body.assertWasCancelled();
        fork.assertWasCancelled();
        nestedFork.assertWasCancelled();
        StepVerifier.create(handle.get())
                .expectError(CancellationException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void forksAndTheBodySeeTheSubscribersContext() {
        List<String> seen = new CopyOnWriteArrayList<>();
        StepVerifier.create(TaskScope.open(scope -> {
                            scope.fork(Mono.deferContextual(view -> Mono.just(view.<String>get("user"))))
                                    .subscribe(seen::add);
                            return Mono.deferContextual(view -> Mono.just(view.<String>get("user")))
                                    .doOnNext(seen::add);
                        })
                        .contextWrite(context -> context.put("user", "ada")))
                .verifyComplete();
        assertThat(seen).containsExactly("ada", "ada");
        StepVerifier.create(TaskScope.all(List.of(Mono.deferContextual(view -> Mono.just(view.<String>get("user")))))
                        .contextWrite(context -> context.put("user", "ada")))
                .expectNext(List.of("ada"))
                .verifyComplete();
    }

    @Test
    void bodyValuesAreIgnoredAndRequestedInFull() {
        StepVerifier.create(TaskScope.open(scope -> Flux.range(0, 10_000)), 0)
                .expectSubscription()
                .verifyComplete();
    }

    @Test
    void openIsLazyAndRunsTheBodyAgainOnResubscription() {
        AtomicInteger runs = new AtomicInteger();
        Mono<Void> scope = TaskScope.open(s -> {
            runs.incrementAndGet();
            return s.fork(Mono.just(1));
        });
        assertThat(runs).hasValue(0);
        scope.block(Duration.ofSeconds(5));
        scope.block(Duration.ofSeconds(5));
        assertThat(runs).hasValue(2);
    }

    @Test
    void manyForksFromManyThreads() {
        AtomicInteger finished = new AtomicInteger();
        StepVerifier.create(TaskScope.open(scope -> Flux.range(0, 2_000)
                        .parallel(4)
                        .runOn(Schedulers.parallel())
                        .doOnNext(i -> scope.fork(
                                Mono.fromRunnable(finished::incrementAndGet).subscribeOn(Schedulers.parallel())))
                        .sequential()))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(finished).hasValue(2_000);
    }

    /** A fork completing on one thread while the scope is cancelled on another: the handle always terminates. */
    @Test
    void forkCompletionRacingCancelAlwaysSettlesTheHandle() {
        for (int i = 0; i < 2_000; i++) {
            TestPublisher<Integer> task = TestPublisher.create();
            AtomicReference<Mono<Integer>> handle = new AtomicReference<>();
            AtomicInteger signals = new AtomicInteger();
            Disposable subscription = TaskScope.open(scope -> {
                        handle.set(scope.fork(task.mono()));
                        return Mono.empty();
                    })
                    .subscribe(v -> {}, e -> signals.incrementAndGet(), signals::incrementAndGet);
            RaceTestUtils.race(() -> task.emit(1), subscription::dispose);
            Optional<Integer> value = handle.get()
                    .onErrorResume(CancellationException.class, e -> Mono.empty())
                    .blockOptional(Duration.ofSeconds(5));
            assertThat(signals.get()).isLessThanOrEqualTo(1);
            if (signals.get() == 0) {
                task.assertCancelled();
            } else {
                assertThat(value).contains(1);
            }
        }
    }

    @Test
    void nullArgumentsAreNamed() {
        assertThatNullPointerException().isThrownBy(() -> TaskScope.open(null)).withMessage("body");
        AtomicReference<Throwable> error = new AtomicReference<>();
        TaskScope.open(scope -> {
                    try {
                        scope.fork(null);
                    } catch (NullPointerException e) {
                        error.set(e);
                    }
                    return Mono.empty();
                })
                .block(Duration.ofSeconds(5));
        assertThat(error.get()).isInstanceOf(NullPointerException.class).hasMessage("task");
    }
}
