package io.github.reactorpatterns.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.reactorpatterns.time.Deadline;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

class BackgroundTasksTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void aTaskRunsAtOnceAndIsReleasedWhenItEnds() {
        BackgroundTasks tasks = BackgroundTasks.create();
        Sinks.Empty<Void> sink = Sinks.empty();
        PublisherProbe<Void> probe = PublisherProbe.of(sink.asMono());

        Disposable handle = tasks.spawn(probe.mono());

        probe.assertWasSubscribed();
        assertThat(tasks.active()).isEqualTo(1);
        assertThat(handle.isDisposed()).isFalse();
        sink.tryEmitEmpty();
        assertThat(tasks.active()).isZero();
        probe.assertWasNotCancelled();
    }

    @Test
    void valuesAreRequestedAndIgnored() {
        BackgroundTasks tasks = BackgroundTasks.create();
        AtomicInteger seen = new AtomicInteger();
        tasks.spawn(Flux.range(0, 1_000).doOnNext(i -> seen.incrementAndGet()));
        assertThat(seen).hasValue(1_000);
        assertThat(tasks.active()).isZero();
    }

    @Test
    void failuresGoToTheHandler() {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        BackgroundTasks tasks = BackgroundTasks.create(failures::add);
        IOException boom = new IOException("boom");
        tasks.spawn(Mono.error(boom));
        tasks.spawn(Mono.empty());
        assertThat(failures).containsExactly(boom);
        assertThat(tasks.active()).isZero();
    }

    @Test
    void theDefaultHandlerLogsAndAThrowingHandlerIsContained() {
        BackgroundTasks logging = BackgroundTasks.create();
        logging.spawn(Mono.error(new IOException("logged")));
        assertThat(logging.active()).isZero();

        BackgroundTasks throwing = BackgroundTasks.create(e -> {
            throw new IllegalStateException("handler broke");
        });
        throwing.spawn(Mono.error(new IOException("x")));
        assertThat(throwing.active()).isZero();
        StepVerifier.create(throwing.shutdown()).verifyComplete();
    }

    @Test
    void disposingTheHandleCancelsTheTask() {
        BackgroundTasks tasks = BackgroundTasks.create();
        PublisherProbe<Void> probe = PublisherProbe.of(Mono.never());
        Disposable handle = tasks.spawn(probe.mono());
        handle.dispose();
        probe.assertWasCancelled();
        assertThat(handle.isDisposed()).isTrue();
        assertThat(tasks.active()).isZero();
    }

    @Test
    void aRunningTaskIsNotCollectedAndAnEndedOneIs() {
        BackgroundTasks tasks = BackgroundTasks.create();
        WeakReference<Object> payload = spawnTaskHoldingOnlyAWeakReference(tasks);

        // a running task stays reachable through the registry, however often the collector runs
        for (int i = 0; i < 5; i++) {
            System.gc();
            assertThat(payload.get()).as("collected while running").isNotNull();
        }
        assertThat(tasks.active()).isEqualTo(1);

        StepVerifier.create(tasks.shutdown()).verifyComplete();
        // and the registry lets it go once it ended: the same check can see a collection
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
            System.gc();
            return payload.get() == null;
        });
    }

    /** The task's only strong path from the test is the registry: nothing else keeps Mono.never() alive. */
    private static WeakReference<Object> spawnTaskHoldingOnlyAWeakReference(BackgroundTasks tasks) {
        Object payload = new Object();
        tasks.spawn(Mono.never().doFinally(signal -> payload.hashCode()));
        return new WeakReference<>(payload);
    }

    @Test
    void shutdownCancelsEveryTaskAndCompletesAfterEachCleanup() {
        BackgroundTasks tasks = BackgroundTasks.create();
        AtomicInteger cleanedUp = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            tasks.spawn(Mono.never().doFinally(signal -> cleanedUp.incrementAndGet()));
        }
        tasks.spawn(Mono.delay(Duration.ofHours(1)).doFinally(signal -> cleanedUp.incrementAndGet()));
        assertThat(tasks.active()).isEqualTo(1_001);

        StepVerifier.create(tasks.shutdown().then(Mono.fromCallable(cleanedUp::get)))
                .expectNext(1_001)
                .verifyComplete();
        assertThat(tasks.active()).isZero();
        StepVerifier.create(tasks.shutdown()).as("idempotent").verifyComplete();
    }

    @Test
    void spawnAfterShutdownFails() {
        BackgroundTasks tasks = BackgroundTasks.create();
        tasks.shutdown().block(TIMEOUT);
        assertThatIllegalStateException()
                .isThrownBy(() -> tasks.spawn(Mono.empty()))
                .withMessage("spawn after shutdown: the BackgroundTasks no longer accepts tasks");
    }

    @Test
    void trySpawnReportsRefusalAfterShutdownWithoutThrowing() {
        BackgroundTasks tasks = BackgroundTasks.create();
        PublisherProbe<Void> accepted = PublisherProbe.of(Mono.never());
        Optional<Disposable> handle = tasks.trySpawn(accepted.mono());
        assertThat(handle).isPresent();
        accepted.assertWasSubscribed();
        assertThat(tasks.active()).isOne();

        StepVerifier.create(tasks.shutdown()).expectComplete().verify(TIMEOUT);
        accepted.assertWasCancelled();
        assertThat(handle.get().isDisposed()).isTrue();

        PublisherProbe<Void> refused = PublisherProbe.empty();
        assertThat(tasks.trySpawn(refused.mono())).isEmpty();
        assertThat(tasks.trySpawn(refused.mono(), Context.of("traceId", "abc"))).isEmpty();
        refused.assertWasNotSubscribed();
        assertThat(tasks.active()).isZero();
    }

    @Test
    void trySpawnRacingWithShutdownEitherRefusesOrIsCleanedUp() {
        for (int round = 0; round < 2_000; round++) {
            BackgroundTasks tasks = BackgroundTasks.create();
            AtomicInteger spawned = new AtomicInteger();
            AtomicInteger cleanedUp = new AtomicInteger();
            AtomicBoolean shutdownDone = new AtomicBoolean();
            RaceTestUtils.race(
                    () -> {
                        for (int i = 0; i < 3; i++) {
                            if (tasks.trySpawn(Mono.never().doFinally(s -> cleanedUp.incrementAndGet()))
                                    .isPresent()) {
                                spawned.incrementAndGet();
                            }
                        }
                    },
                    () -> tasks.shutdown().subscribe(null, null, () -> shutdownDone.set(true)));
            await().atMost(TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .untilTrue(shutdownDone);
            assertThat(cleanedUp.get()).as("round %d", round).isEqualTo(spawned.get());
            assertThat(tasks.active()).isZero();
        }
    }

    @Test
    void aTaskSpawnedWithAContextSeesItButNotItsDeadline() {
        // a request's context (trace id) follows a fire-and-forget notification; its deadline does not, or the
        // notification would be cut when the response is due
        BackgroundTasks tasks = BackgroundTasks.create();
        AtomicReference<ContextView> seen = new AtomicReference<>();
        Sinks.Empty<Void> notified = Sinks.empty();
        Mono<String> handler = Mono.deferContextual(request -> {
                    tasks.spawn(
                            Mono.deferContextual(context -> {
                                seen.set(context);
                                return notified.asMono();
                            }),
                            request);
                    return Mono.just("created");
                })
                .transform(Deadline.within(Duration.ofSeconds(1)))
                .contextWrite(Context.of("traceId", "abc-123"));

        StepVerifier.create(handler)
                .expectAccessibleContext()
                .hasKey("traceId")
                .then()
                .expectNext("created")
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(seen.get().getOrDefault("traceId", "none")).isEqualTo("abc-123");
        assertThat(Deadline.current(seen.get())).isEmpty();
        assertThat(seen.get().size()).isOne();
        notified.tryEmitEmpty();
        assertThat(tasks.active()).isZero();
    }

    @Test
    void theDeadlineOfTheSpawnerNeverCutsTheTask() {
        // the task bounds itself with Deadline.timeout(30 s); had the request's 2 s deadline been passed on, it would
        // fail with DeadlineExceededException at 2 s
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean notified = new AtomicBoolean();
        StepVerifier.withVirtualTime(() -> {
                    BackgroundTasks tasks = BackgroundTasks.create(failures::add);
                    return Mono.deferContextual(request -> {
                                tasks.spawn(
                                        Mono.delay(Duration.ofSeconds(10))
                                                .transform(Deadline.timeout(Duration.ofSeconds(30)))
                                                .doOnNext(tick -> notified.set(true)),
                                        request);
                                return Mono.delay(Duration.ofSeconds(1));
                            })
                            .transform(Deadline.within(Duration.ofSeconds(2)))
                            .then(Mono.delay(Duration.ofSeconds(20)))
                            .map(tick -> tasks.active());
                })
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(21))
                .expectNext(0)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(failures).isEmpty();
        assertThat(notified).isTrue();
    }

    @Test
    void aTaskSpawnedWithoutAContextSeesAnEmptyOne() {
        BackgroundTasks tasks = BackgroundTasks.create();
        AtomicReference<ContextView> seen = new AtomicReference<>();
        StepVerifier.create(Mono.deferContextual(request -> {
                            tasks.spawn(Mono.deferContextual(context -> {
                                seen.set(context);
                                return Mono.empty();
                            }));
                            return Mono.just(1);
                        })
                        .contextWrite(Context.of("traceId", "abc")))
                .expectNext(1)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(seen.get().isEmpty()).isTrue();
    }

    @Test
    void shutdownIsLazy() {
        BackgroundTasks tasks = BackgroundTasks.create();
        Mono<Void> shutdown = tasks.shutdown();
        PublisherProbe<Void> probe = PublisherProbe.of(Mono.never());
        tasks.spawn(probe.mono());
        probe.assertWasNotCancelled();
        shutdown.block(TIMEOUT);
        probe.assertWasCancelled();
    }

    @Test
    void drainCancelsOnlyTheLateTasks() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        BackgroundTasks tasks = BackgroundTasks.create(e -> {}, vts);
        List<String> ends = new CopyOnWriteArrayList<>();
        tasks.spawn(Mono.delay(Duration.ofSeconds(1), vts).doFinally(s -> ends.add("early:" + s)));
        tasks.spawn(Mono.delay(Duration.ofSeconds(4), vts).doFinally(s -> ends.add("inTime:" + s)));
        tasks.spawn(Mono.delay(Duration.ofSeconds(10), vts).doFinally(s -> ends.add("late:" + s)));

        AtomicBoolean drained = new AtomicBoolean();
        tasks.drain(Duration.ofSeconds(5)).subscribe(null, null, () -> drained.set(true));
        assertThatIllegalStateException().isThrownBy(() -> tasks.spawn(Mono.empty()));

        vts.advanceTimeBy(Duration.ofSeconds(4));
        assertThat(ends).containsExactly("early:" + SignalType.ON_COMPLETE, "inTime:" + SignalType.ON_COMPLETE);
        assertThat(drained).isFalse();
        vts.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(ends)
                .containsExactly(
                        "early:" + SignalType.ON_COMPLETE,
                        "inTime:" + SignalType.ON_COMPLETE,
                        "late:" + SignalType.CANCEL);
        assertThat(drained).isTrue();
        assertThat(tasks.active()).isZero();
    }

    @Test
    void drainCompletesAsSoonAsTheLastTaskEnds() {
        StepVerifier.withVirtualTime(() -> {
                    BackgroundTasks tasks = BackgroundTasks.create();
                    tasks.spawn(Mono.delay(Duration.ofSeconds(2)));
                    return tasks.drain(Duration.ofMinutes(1));
                })
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(2))
                .verifyComplete();
    }

    @Test
    void drainOfAnEmptyRegistryCompletesAtOnce() {
        StepVerifier.create(BackgroundTasks.create().drain(Duration.ofHours(1))).verifyComplete();
    }

    @Test
    void closeCancelsEverythingWithoutBlocking() {
        BackgroundTasks tasks = BackgroundTasks.create();
        AtomicInteger cleanedUp = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            tasks.spawn(Mono.never().doFinally(signal -> cleanedUp.incrementAndGet()));
        }
        Mono.fromRunnable(tasks::close).subscribeOn(Schedulers.parallel()).block(TIMEOUT);
        assertThat(cleanedUp).hasValue(10);
        assertThat(tasks.active()).isZero();
        tasks.close();
        assertThatIllegalStateException().isThrownBy(() -> tasks.spawn(Mono.empty()));
    }

    @Test
    void spawnRacingWithShutdownEitherFailsOrIsCleanedUp() {
        for (int round = 0; round < 2_000; round++) {
            BackgroundTasks tasks = BackgroundTasks.create();
            AtomicInteger spawned = new AtomicInteger();
            AtomicInteger cleanedUp = new AtomicInteger();
            AtomicBoolean shutdownDone = new AtomicBoolean();
            RaceTestUtils.race(
                    () -> {
                        for (int i = 0; i < 3; i++) {
                            try {
                                tasks.spawn(Mono.never().doFinally(s -> cleanedUp.incrementAndGet()));
                                spawned.incrementAndGet();
                            } catch (IllegalStateException rejected) {
                                // spawn lost the race
                            }
                        }
                    },
                    () -> tasks.shutdown().subscribe(null, null, () -> shutdownDone.set(true)));
            await().atMost(TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .untilTrue(shutdownDone);
            assertThat(cleanedUp.get()).as("round %d", round).isEqualTo(spawned.get());
            assertThat(tasks.active()).isZero();
        }
    }

    @Test
    void badArgumentsFailAtOnce() {
        BackgroundTasks tasks = BackgroundTasks.create();
        assertThatNullPointerException().isThrownBy(() -> tasks.spawn(null)).withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> tasks.spawn(null, Context.empty()))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> tasks.spawn(Mono.empty(), null))
                .withMessage("context");
        assertThatNullPointerException().isThrownBy(() -> tasks.trySpawn(null)).withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> tasks.trySpawn(null, Context.empty()))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> tasks.trySpawn(Mono.empty(), null))
                .withMessage("context");
        assertThatNullPointerException().isThrownBy(() -> tasks.drain(null)).withMessage("grace");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> tasks.drain(Duration.ofMillis(-1)))
                .withMessage("grace >= 0 required but it was PT-0.001S");
        assertThatNullPointerException()
                .isThrownBy(() -> BackgroundTasks.create(null))
                .withMessage("onFailure");
        assertThatNullPointerException()
                .isThrownBy(() -> BackgroundTasks.create(e -> {}, null))
                .withMessage("scheduler");
    }
}
