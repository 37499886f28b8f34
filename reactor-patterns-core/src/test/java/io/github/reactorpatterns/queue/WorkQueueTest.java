package io.github.reactorpatterns.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

class WorkQueueTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A handler whose jobs end only when the test says so. */
    private static final class ManualJobs {
        final Map<Integer, Sinks.Empty<Void>> sinks = new ConcurrentHashMap<>();
        final List<Integer> started = new CopyOnWriteArrayList<>();

        Mono<Void> handle(int job) {
            started.add(job);
            return sinks.computeIfAbsent(job, j -> Sinks.empty()).asMono();
        }

        void complete(int job) {
            sinks.computeIfAbsent(job, j -> Sinks.empty()).emitEmpty(Sinks.EmitFailureHandler.FAIL_FAST);
        }

        void fail(int job, Throwable error) {
            sinks.computeIfAbsent(job, j -> Sinks.empty()).emitError(error, Sinks.EmitFailureHandler.FAIL_FAST);
        }
    }

    private static WorkQueue<Integer> queue(int capacity, int workers, ManualJobs jobs) {
        return WorkQueue.<Integer>builder()
                .capacity(capacity)
                .workers(workers)
                .handler(jobs::handle)
                .build();
    }

    @Test
    void handlesEveryJobWithAtMostWorkersAtOnce() {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(4)
                .handler(job -> probe.wrap(Mono.delay(Duration.ofMillis(1)).doOnNext(x -> handled.add(job))))
                .build();

        Flux.range(0, 200).concatMap(queue::put).then(queue.join()).block(TIMEOUT);

        assertThat(handled)
                .containsExactlyInAnyOrderElementsOf(
                        Flux.range(0, 200).collectList().block());
        assertThat(queue.completed()).isEqualTo(200);
        assertThat(queue.failed()).isZero();
        assertThat(queue.size()).isZero();
        assertThat(queue.inFlight()).isZero();
        probe.assertMaxAtMost(4);
        assertThat(probe.max()).isEqualTo(4);
    }

    @Test
    void singleWorkerHandlesJobsInFifoOrder() {
        List<Integer> handled = new ArrayList<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(3)
                .handler(job -> Mono.fromRunnable(() -> handled.add(job)))
                .build();

        Flux.range(0, 100).concatMap(queue::put).then(queue.join()).block(TIMEOUT);

        assertThat(handled).isEqualTo(Flux.range(0, 100).collectList().block());
    }

    @Test
    void putWaitsWhileFullAndResumesWhenAWorkerFreesSpace() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(1, 1, jobs);

        StepVerifier.create(queue.put(0)).verifyComplete();
        StepVerifier.create(queue.put(1)).verifyComplete();
        assertThat(jobs.started).containsExactly(0);
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.inFlight()).isEqualTo(1);

        StepVerifier.create(queue.put(2))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> assertThat(queue.offer(3))
                        .as("offer never overtakes a waiting put")
                        .isFalse())
                .then(() -> jobs.complete(0))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(jobs.started).containsExactly(0, 1);
        assertThat(queue.size()).isEqualTo(1);
        jobs.complete(1);
        jobs.complete(2);
        assertThat(jobs.started).containsExactly(0, 1, 2);
        StepVerifier.create(queue.join()).verifyComplete();
        assertThat(queue.completed()).isEqualTo(3);
    }

    @Test
    void waitingPutsAreAcceptedInFifoOrder() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(1, 1, jobs);
        queue.offer(0);
        queue.offer(1);
        List<Integer> accepted = new CopyOnWriteArrayList<>();
        for (int i = 2; i < 6; i++) {
            int job = i;
            queue.put(job).subscribe(null, null, () -> accepted.add(job));
        }
        assertThat(accepted).isEmpty();
        for (int i = 0; i < 6; i++) {
            jobs.complete(i);
        }
        assertThat(accepted).containsExactly(2, 3, 4, 5);
        assertThat(jobs.started).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void cancellingAWaitingPutWithdrawsTheJob() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(1, 1, jobs);
        queue.offer(0);
        queue.offer(1);
        Disposable waiting = queue.put(2).subscribe();
        AtomicBoolean laterAccepted = new AtomicBoolean();
        queue.put(3).subscribe(null, null, () -> laterAccepted.set(true));

        waiting.dispose();
        jobs.complete(0);

        assertThat(laterAccepted).isTrue();
        jobs.complete(1);
        jobs.complete(3);
        assertThat(jobs.started).containsExactly(0, 1, 3);
        assertThat(queue.completed()).isEqualTo(3);
    }

    @Test
    void offerAcceptsOnlyWhileThereIsRoom() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(2, 1, jobs);
        assertThat(queue.offer(0)).isTrue();
        assertThat(queue.offer(1)).isTrue();
        assertThat(queue.offer(2)).isTrue();
        assertThat(queue.offer(3)).isFalse();
        assertThat(queue.size()).isEqualTo(2);
        jobs.complete(0);
        assertThat(queue.offer(3)).isTrue();
    }

    @Test
    void failingThrowingAndNullReturningHandlersFailOnlyTheirJob() {
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        IOException boom = new IOException("boom");
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(2)
                .handler(job -> {
                    switch (job) {
                        case 1:
                            return Mono.error(boom);
                        case 2:
                            throw new IllegalStateException("thrown");
                        case 3:
                            return null;
                        default:
                            return Mono.fromRunnable(() -> handled.add(job));
                    }
                })
                .onFailure((job, error) ->
                        failures.add(job + ":" + error.getClass().getSimpleName() + ":" + error.getMessage()))
                .build();

        Flux.range(0, 6).concatMap(queue::put).then(queue.join()).block(TIMEOUT);

        assertThat(handled).containsExactlyInAnyOrder(0, 4, 5);
        assertThat(failures)
                .containsExactlyInAnyOrder(
                        "1:IOException:boom",
                        "2:IllegalStateException:thrown",
                        "3:NullPointerException:handler returned null for job 3");
        assertThat(queue.completed()).isEqualTo(3);
        assertThat(queue.failed()).isEqualTo(3);
    }

    @Test
    void defaultOnFailureLogsAndAThrowingOnFailureIsContained() {
        WorkQueue<Integer> logging = WorkQueue.<Integer>builder()
                .capacity(1)
                .handler(job -> Mono.error(new IOException("logged")))
                .build();
        assertThat(logging.offer(1)).isTrue();
        assertThat(logging.failed()).isEqualTo(1);

        List<Integer> handled = new ArrayList<>();
        WorkQueue<Integer> throwing = WorkQueue.<Integer>builder()
                .capacity(1)
                .handler(job -> job == 0 ? Mono.error(new IOException("x")) : Mono.fromRunnable(() -> handled.add(job)))
                .onFailure((job, error) -> {
                    throw new IllegalStateException("onFailure broke");
                })
                .build();
        Flux.range(0, 3).concatMap(throwing::put).then(throwing.join()).block(TIMEOUT);
        assertThat(handled).containsExactly(1, 2);
        assertThat(throwing.failed()).isEqualTo(1);
    }

    @Test
    void joinCompletesExactlyWhenTheLastJobEnds() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(5, 2, jobs);
        StepVerifier.create(queue.join()).as("idle queue").verifyComplete();
        for (int i = 0; i < 5; i++) {
            queue.offer(i);
        }
        AtomicBoolean joined = new AtomicBoolean();
        queue.join().subscribe(null, null, () -> joined.set(true));
        for (int i = 0; i < 4; i++) {
            jobs.complete(i);
            assertThat(joined).as("after job %d", i).isFalse();
        }
        jobs.fail(4, new IOException("last"));
        assertThat(joined).isTrue();
        assertThat(queue.completed()).isEqualTo(4);
        assertThat(queue.failed()).isEqualTo(1);
    }

    @Test
    void joinWaitsForJobsAcceptedWhileItWaits() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(5, 1, jobs);
        queue.offer(0);
        AtomicBoolean joined = new AtomicBoolean();
        queue.join().subscribe(null, null, () -> joined.set(true));
        queue.offer(1);
        jobs.complete(0);
        assertThat(joined).isFalse();
        jobs.complete(1);
        assertThat(joined).isTrue();
    }

    @Test
    void shutdownReturnsTheNeverStartedJobsInOrderAndCancelsTheRunningOnesAfterGrace() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        PublisherProbe<Void> running = PublisherProbe.of(Mono.never());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(job -> running.mono())
                .onFailure((job, error) -> failures.add(error))
                .scheduler(vts)
                .build();
        for (int i = 0; i < 6; i++) {
            queue.offer(i);
        }
        AtomicBoolean joined = new AtomicBoolean();
        queue.join().subscribe(null, null, () -> joined.set(true));

        AtomicReference<List<Integer>> result = new AtomicReference<>();
        queue.shutdown(Duration.ofSeconds(5)).subscribe(result::set);
        vts.advanceTimeBy(Duration.ofSeconds(4));
        assertThat(result.get()).isNull();
        running.assertWasNotCancelled();
        vts.advanceTimeBy(Duration.ofSeconds(1));

        assertThat(result.get()).containsExactly(1, 2, 3, 4, 5);
        running.assertWasCancelled();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0))
                .isInstanceOf(CancellationException.class)
                .hasMessage("job cancelled: shutdown grace period of PT5S elapsed");
        assertThat(queue.failed()).isEqualTo(1);
        assertThat(queue.inFlight()).isZero();
        assertThat(queue.size()).isZero();
        assertThat(joined).isTrue();
        StepVerifier.create(queue.shutdown(Duration.ZERO))
                .as("idempotent")
                .expectNext(List.of(1, 2, 3, 4, 5))
                .verifyComplete();
    }

    @Test
    void workersGoOnDuringGraceAndShutdownEndsEarlyWhenIdle() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(jobs::handle)
                .scheduler(vts)
                .build();
        queue.offer(0);
        queue.offer(1);
        AtomicReference<List<Integer>> result = new AtomicReference<>();
        queue.shutdown(Duration.ofSeconds(5)).subscribe(result::set);

        jobs.complete(0);
        assertThat(jobs.started).containsExactly(0, 1);
        assertThat(result.get()).isNull();
        jobs.complete(1);

        assertThat(result.get()).isEmpty();
        assertThat(queue.completed()).isEqualTo(2);
        assertThat(queue.failed()).isZero();
        vts.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(queue.failed()).isZero();
    }

    @Test
    void graceTimerIsDisposedWhenTheQueueDrainsEarly() {
        // Regression: the grace timer stayed scheduled (holding the queue) after an early drain.
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        List<Disposable> timers = new CopyOnWriteArrayList<>();
        Scheduler recording = new Scheduler() {
            @Override
            public Disposable schedule(Runnable task) {
                return vts.schedule(task);
            }

            @Override
            public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
                Disposable timer = vts.schedule(task, delay, unit);
                timers.add(timer);
                return timer;
            }

            @Override
            public Worker createWorker() {
                return vts.createWorker();
            }
        };
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(jobs::handle)
                .scheduler(recording)
                .build();
        queue.offer(0);
        AtomicReference<List<Integer>> result = new AtomicReference<>();
        queue.shutdown(Duration.ofHours(1)).subscribe(result::set);
        assertThat(timers)
                .singleElement()
                .satisfies(timer -> assertThat(timer.isDisposed()).isFalse());

        jobs.complete(0);

        assertThat(result.get()).isEmpty();
        assertThat(timers)
                .singleElement()
                .satisfies(timer -> assertThat(timer.isDisposed()).isTrue());
    }

    @Test
    void shutdownCompletesWhenTheSchedulerRejectsTheGraceTimer() {
        // Regression: a RejectedExecutionException from a disposed scheduler escaped startShutdown after the state
        // was DRAINING, so shutdown() never completed. Now the grace period ends at once.
        Scheduler disposed = Schedulers.newSingle("work-queue-test-disposed");
        disposed.dispose();
        PublisherProbe<Void> running = PublisherProbe.of(Mono.never());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(job -> running.mono())
                .onFailure((job, error) -> failures.add(error))
                .scheduler(disposed)
                .build();
        queue.offer(0);
        queue.offer(1);

        StepVerifier.create(queue.shutdown(Duration.ofSeconds(5)))
                .expectNext(List.of(1))
                .expectComplete()
                .verify(TIMEOUT);

        running.assertWasCancelled();
        assertThat(failures).singleElement().isInstanceOf(CancellationException.class);
        assertThat(queue.inFlight()).isZero();
        StepVerifier.create(queue.join()).expectComplete().verify(TIMEOUT);
    }

    @Test
    void jvmFatalErrorOfAHandlerIsRethrownNotCountedAsAFailure() {
        // Regression: catch (Throwable) counted OutOfMemoryError and kin as job failures and the queue went on.
        OutOfMemoryError oom = new OutOfMemoryError("test: not a real one");
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(job -> {
                    calls.incrementAndGet();
                    if (job == 1) {
                        throw oom;
                    }
                    if (job == 2) {
                        return Mono.fromCallable(() -> {
                            throw new StackOverflowError("test: from a Callable Mono");
                        });
                    }
                    return Mono.empty();
                })
                .onFailure((job, error) -> failures.add(error))
                .build();

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> queue.offer(1)))
                .isSameAs(oom);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> queue.offer(2)))
                .isInstanceOf(StackOverflowError.class)
                .hasMessage("test: from a Callable Mono");
        assertThat(queue.offer(3)).as("the worker was freed").isTrue();

        assertThat(calls).hasValue(3);
        assertThat(failures).isEmpty();
        assertThat(queue.failed()).isZero();
        assertThat(queue.completed()).isEqualTo(1);
        assertThat(queue.inFlight()).isZero();
    }

    @Test
    void jvmFatalErrorOfAQueuedJobIsRethrownAndLaterJobsStillStart() {
        ManualJobs jobs = new ManualJobs();
        OutOfMemoryError oom = new OutOfMemoryError("test: not a real one");
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(job -> {
                    if (job == 1) {
                        throw oom;
                    }
                    return jobs.handle(job);
                })
                .build();
        queue.offer(0);
        queue.offer(1);
        queue.offer(2);
        // job 0 ends on this thread, which then starts job 1: its error reaches this thread
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jobs.complete(0)))
                .isSameAs(oom);
        assertThat(jobs.started).as("the drain loop went on to job 2").containsExactly(0, 2);
        jobs.complete(2);
        assertThat(queue.offer(3)).isTrue();
        assertThat(jobs.started).containsExactly(0, 2, 3);
        jobs.complete(3);
        assertThat(queue.completed()).isEqualTo(3);
        assertThat(queue.failed()).isZero();
        StepVerifier.create(queue.join()).expectComplete().verify(TIMEOUT);
    }

    @Test
    void shutdownRejectsNewAndWaitingPuts() {
        ManualJobs jobs = new ManualJobs();
        WorkQueue<Integer> queue = queue(1, 1, jobs);
        queue.offer(0);
        queue.offer(1);
        Mono<Void> waiting = queue.put(2);
        StepVerifier.create(waiting)
                .expectSubscription()
                .then(() -> queue.shutdown(Duration.ofMinutes(1)).subscribe())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("WorkQueue was shut down while put was waiting"))
                .verify(TIMEOUT);
        StepVerifier.create(queue.put(3))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("put after shutdown: the WorkQueue no longer accepts jobs"))
                .verify(TIMEOUT);
        assertThat(queue.offer(4)).isFalse();
        jobs.complete(0);
        jobs.complete(1);
        StepVerifier.create(queue.shutdown(Duration.ZERO)).expectNext(List.of()).verifyComplete();
        assertThat(jobs.started).containsExactly(0, 1);
    }

    @Test
    void shutdownOfAnIdleQueueEmitsAnEmptyListAtOnce() {
        WorkQueue<Integer> queue = queue(1, 1, new ManualJobs());
        StepVerifier.create(queue.shutdown(Duration.ofHours(1)))
                .expectNext(List.of())
                .verifyComplete();
    }

    @Test
    void shutdownIsLazy() {
        WorkQueue<Integer> queue = queue(1, 1, new ManualJobs());
        Mono<List<Integer>> shutdown = queue.shutdown(Duration.ZERO);
        assertThat(queue.offer(1)).isTrue();
        StepVerifier.create(shutdown).expectNext(List.of()).verifyComplete();
        assertThat(queue.offer(2)).isFalse();
    }

    @Test
    void aMillionSynchronousJobsDoNotOverflowTheStack() {
        AtomicInteger handled = new AtomicInteger();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(16)
                .workers(2)
                .handler(job -> Mono.fromRunnable(handled::incrementAndGet))
                .build();
        // the producer is synchronous too: every put completes inside the previous job's end
        Flux.range(0, 1_000_000).concatMap(queue::put).then(queue.join()).block(TIMEOUT);
        assertThat(handled).hasValue(1_000_000);
        assertThat(queue.completed()).isEqualTo(1_000_000);
    }

    @Test
    void concurrentPutsFromManyThreadsAreAllAccepted() {
        AtomicInteger handled = new AtomicInteger();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(8)
                .workers(3)
                .handler(job -> Mono.fromRunnable(handled::incrementAndGet).subscribeOn(Schedulers.parallel()))
                .build();
        Flux.range(0, 8)
                .flatMap(producer -> Flux.range(producer * 2_000, 2_000)
                        .concatMap(queue::put)
                        .subscribeOn(Schedulers.boundedElastic()))
                .then(queue.join())
                .block(TIMEOUT);
        assertThat(handled).hasValue(16_000);
        assertThat(queue.completed()).isEqualTo(16_000);
    }

    @Test
    void cancelRacingWithAcceptanceEitherAcceptsOnceOrWithdraws() {
        for (int round = 0; round < 2_000; round++) {
            ManualJobs jobs = new ManualJobs();
            WorkQueue<Integer> queue = queue(1, 1, jobs);
            queue.offer(0);
            queue.offer(1);
            AtomicBoolean confirmed = new AtomicBoolean();
            Disposable put = queue.put(2).subscribe(null, null, () -> confirmed.set(true));

            RaceTestUtils.race(() -> jobs.complete(0), put::dispose);

            jobs.complete(1);
            jobs.complete(2);
            StepVerifier.create(queue.join()).verifyComplete();
            long twos = jobs.started.stream().filter(j -> j == 2).count();
            assertThat(twos).as("round %d", round).isLessThanOrEqualTo(1);
            if (confirmed.get()) {
                assertThat(twos).as("round %d: confirmed put must run", round).isEqualTo(1);
            }
            assertThat(queue.completed()).isEqualTo(jobs.started.size());
            assertThat(queue.size()).isZero();
            // the withdrawn (or accepted) waiter left no trace: one more job fits
            assertThat(queue.offer(3)).isTrue();
        }
    }

    @Test
    void shutdownRacingWithOfferNeverLosesAJob() {
        for (int round = 0; round < 2_000; round++) {
            List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
            List<Integer> cancelled = Collections.synchronizedList(new ArrayList<>());
            WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                    .capacity(4)
                    .workers(1)
                    .handler(job -> Mono.fromRunnable(() -> handled.add(job)))
                    .onFailure((job, error) -> cancelled.add(job))
                    .build();
            AtomicBoolean accepted = new AtomicBoolean();
            AtomicReference<List<Integer>> returned = new AtomicReference<>();
            RaceTestUtils.race(
                    () -> accepted.set(queue.offer(7)),
                    () -> queue.shutdown(Duration.ZERO).subscribe(returned::set));
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .atMost(TIMEOUT)
                    .until(() -> returned.get() != null && cancelled.size() == queue.failed());
            long taken = queue.completed() + queue.failed() + returned.get().size();
            assertThat(taken).as("round %d: accepted exactly once", round).isEqualTo(accepted.get() ? 1 : 0);
            if (!returned.get().isEmpty()) {
                assertThat(handled)
                        .as("round %d: a returned job never ran", round)
                        .isEmpty();
            }
            // a shutdown with zero grace may cancel the job as it ends: then its work ran but it counts as failed
            assertThat(handled).as("round %d", round).isSubsetOf(7);
        }
    }

    @Test
    void aJobWhoseGraceElapsedBeforeItsMonoWasSubscribedIsCancelledWithoutSubscribing() {
        // The handler runs after the job took its worker; a shutdown whose grace elapses right then does not see
        // the job among the running ones yet: the job must cancel itself, or the shutdown would wait forever.
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        PublisherProbe<Void> never = PublisherProbe.of(Mono.never());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicReference<WorkQueue<Integer>> self = new AtomicReference<>();
        AtomicReference<List<Integer>> handedBack = new AtomicReference<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(job -> {
                    self.get().shutdown(Duration.ZERO).subscribe(handedBack::set);
                    vts.advanceTime();
                    assertThat(handedBack.get())
                            .as("the job still holds its worker")
                            .isNull();
                    return never.mono();
                })
                .onFailure((job, error) -> failures.add(error))
                .scheduler(vts)
                .build();
        self.set(queue);

        assertThat(queue.offer(0)).isTrue();

        assertThat(handedBack.get()).isEmpty();
        never.assertWasNotSubscribed();
        assertThat(failures)
                .singleElement()
                .satisfies(error -> assertThat(error)
                        .isInstanceOf(CancellationException.class)
                        .hasMessage("job cancelled: shutdown grace period of PT0S elapsed"));
        assertThat(queue.failed()).isOne();
        assertThat(queue.completed()).isZero();
        assertThat(queue.inFlight()).isZero();
    }

    @Test
    void aShutdownBegunWhileAJobIsEvaluatedInPlaceEmitsOnlyOnceTheJobIsCounted() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        AtomicReference<WorkQueue<Integer>> self = new AtomicReference<>();
        AtomicReference<List<Integer>> handedBack = new AtomicReference<>();
        AtomicReference<Long> completedWhenHandedBack = new AtomicReference<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(1)
                .handler(job -> Mono.fromRunnable(() -> {
                    WorkQueue<Integer> q = self.get();
                    q.shutdown(Duration.ZERO).subscribe(list -> {
                        completedWhenHandedBack.set(q.completed());
                        handedBack.set(list);
                    });
                    vts.advanceTime();
                }))
                .scheduler(vts)
                .build();
        self.set(queue);

        assertThat(queue.offer(0)).isTrue();

        assertThat(handedBack.get()).isEmpty();
        assertThat(completedWhenHandedBack.get()).isOne();
        assertThat(queue.failed()).isZero();
        assertThat(queue.inFlight()).isZero();
        assertThat(queue.offer(1)).isFalse();
    }

    @Test
    void joinSubscribedWhileAJobIsEvaluatedInPlaceCompletesWhenItEnds() {
        AtomicReference<WorkQueue<Integer>> self = new AtomicReference<>();
        AtomicBoolean joined = new AtomicBoolean();
        AtomicReference<Long> completedWhenJoined = new AtomicReference<>();
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(10)
                .workers(2)
                .handler(job -> Mono.fromRunnable(() -> {
                    WorkQueue<Integer> q = self.get();
                    if (job == 0) {
                        q.join().subscribe(null, null, () -> {
                            completedWhenJoined.set(q.completed());
                            joined.set(true);
                        });
                        assertThat(joined).as("the job still runs").isFalse();
                    }
                }))
                .build();
        self.set(queue);

        assertThat(queue.offer(0)).isTrue();

        assertThat(joined).isTrue();
        assertThat(completedWhenJoined.get()).isOne();
        // and the queue goes on as before once nobody waits
        for (int job = 1; job <= 3; job++) {
            assertThat(queue.offer(job)).isTrue();
        }
        assertThat(queue.completed()).isEqualTo(4);
        assertThat(queue.inFlight()).isZero();
        StepVerifier.create(queue.join()).expectComplete().verify(TIMEOUT);
    }

    @Test
    void completedCountsEveryJobAcrossManyLockFreeEnds() {
        // more jobs than the lock-free end may leave pending, so the count is folded in several times
        int jobs = (int) (3 * WorkQueue.PENDING_MAX + 17);
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> Mono.empty())
                .build();
        for (int job = 0; job < jobs; job++) {
            assertThat(queue.offer(job)).isTrue();
            if (job % 10_007 == 0) {
                assertThat(queue.completed()).isEqualTo(job + 1);
            }
        }
        assertThat(queue.completed()).isEqualTo(jobs);
        assertThat(queue.toString()).contains("completed=" + jobs);
    }

    @Test
    void putIsAnOperatorReactorsToolingCanSee() {
        WorkQueue<Integer> queue = queue(1, 1, new ManualJobs());
        Mono<Void> put = queue.put(1);
        assertThat(Scannable.from(put).isScanAvailable()).isTrue();
        assertThat(Scannable.from(put).scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        StepVerifier.create(put.checkpoint("the put")).expectComplete().verify(TIMEOUT);
        assertThat(queue.inFlight()).isOne();
    }

    @Test
    void badArgumentsFailAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WorkQueue.builder().capacity(0))
                .withMessage("capacity > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WorkQueue.builder().workers(-1))
                .withMessage("workers > 0 required but it was -1");
        assertThatNullPointerException()
                .isThrownBy(() -> WorkQueue.builder().handler(null))
                .withMessage("handler");
        assertThatNullPointerException()
                .isThrownBy(() -> WorkQueue.builder().onFailure(null))
                .withMessage("onFailure");
        assertThatNullPointerException()
                .isThrownBy(() -> WorkQueue.builder().scheduler(null))
                .withMessage("scheduler");
        assertThatIllegalStateException()
                .isThrownBy(() -> WorkQueue.builder().handler(j -> Mono.empty()).build())
                .withMessage("capacity is required: call capacity(int) before build()");
        assertThatIllegalStateException()
                .isThrownBy(() -> WorkQueue.builder().capacity(1).build())
                .withMessage("handler is required: call handler(Function) before build()");

        WorkQueue<Integer> queue = queue(1, 1, new ManualJobs());
        assertThatNullPointerException().isThrownBy(() -> queue.put(null)).withMessage("job");
        assertThatNullPointerException().isThrownBy(() -> queue.offer(null)).withMessage("job");
        assertThatNullPointerException().isThrownBy(() -> queue.shutdown(null)).withMessage("grace");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> queue.shutdown(Duration.ofSeconds(-1)))
                .withMessage("grace >= 0 required but it was PT-1S");
    }

    @Test
    void builderIsReusable() {
        WorkQueue.Builder<Integer> builder =
                WorkQueue.<Integer>builder().capacity(1).handler(j -> Mono.empty());
        WorkQueue<Integer> first = builder.build();
        WorkQueue<Integer> second = builder.workers(3).build();
        assertThat(first).isNotSameAs(second);
        assertThat(first.toString()).contains("workers=1");
        assertThat(second.toString()).contains("workers=3");
    }
}
