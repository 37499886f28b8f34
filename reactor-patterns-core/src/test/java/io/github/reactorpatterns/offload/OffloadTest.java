package io.github.reactorpatterns.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class OffloadTest {

    private static final Duration VERIFY = Duration.ofSeconds(10);
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    // ---- blocking ------------------------------------------------------------------------------------------------

    @Test
    void blockingRunsOnBoundedElasticWhereBlockingIsAllowed() {
        Mono<String> task = Offload.blocking(() -> {
            LockSupport.parkNanos(1_000); // a blocking call: BlockHound would fail it on a non-blocking thread
            return Thread.currentThread().getName();
        });
        StepVerifier.create(task.publishOn(Schedulers.parallel()))
                .assertNext(thread -> assertThat(thread).startsWith("boundedElastic-"))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void blockingIsLazyAndRunsAgainOnEachSubscription() {
        AtomicInteger calls = new AtomicInteger();
        Mono<Integer> task = Offload.blocking(calls::incrementAndGet);
        assertThat(calls).hasValue(0);
        StepVerifier.create(task).expectNext(1).expectComplete().verify(VERIFY);
        StepVerifier.create(task).expectNext(2).expectComplete().verify(VERIFY);
    }

    @Test
    void blockingNullResultCompletesEmpty() {
        StepVerifier.create(Offload.blocking(() -> null)).expectComplete().verify(VERIFY);
    }

    @Test
    void blockingCheckedErrorPassesThroughUnchanged() {
        IOException io = new IOException("disk");
        StepVerifier.create(Offload.blocking(() -> {
                    throw io;
                }))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
    }

    @Test
    void blockingValueWaitsForDemand() {
        StepVerifier.create(Offload.blocking(() -> "a"), 0)
                .expectSubscription()
                .thenRequest(1)
                .expectNext("a")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void cancellingARunningBlockingCallInterruptsIt() throws InterruptedException {
        assertCancellationInterrupts(Offload::blocking);
    }

    @Test
    void manyConcurrentBlockingCallsAllComplete() {
        Mono<Long> sum = Flux.range(0, 2_000)
                .flatMap(i -> Offload.blocking(() -> (long) i), 64)
                .reduce(0L, Long::sum);
        StepVerifier.create(sum).expectNext(2_000L * 1_999 / 2).expectComplete().verify(Duration.ofSeconds(30));
    }

    // ---- cpu -----------------------------------------------------------------------------------------------------

    @Test
    void cpuRunsOnTheCpuSchedulerAndEmitsTheResult() {
        StepVerifier.create(Offload.cpu(() -> Thread.currentThread().getName()))
                .assertNext(thread -> assertThat(thread).startsWith("reactor-patterns-cpu-"))
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(Offload.cpu(() -> null)).expectComplete().verify(VERIFY);
        IllegalStateException bug = new IllegalStateException("bug");
        StepVerifier.create(Offload.cpu(() -> {
                    throw bug;
                }))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(bug))
                .verify(VERIFY);
    }

    @Test
    void cpuRunsAtMostOneTaskPerCore() throws InterruptedException {
        int tasks = CORES * 4;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch gate = new CountDownLatch(1);
        Mono<Integer> all = Flux.range(0, tasks)
                .flatMap(
                        i -> Offload.cpu(() -> {
                            int now = running.incrementAndGet();
                            max.accumulateAndGet(now, Math::max);
                            threads.add(Thread.currentThread().getName());
                            gate.await();
                            running.decrementAndGet();
                            return i;
                        }),
                        tasks)
                .reduce(0, Integer::sum);
        AtomicReference<Integer> result = new AtomicReference<>();
        Disposable subscription = all.subscribe(result::set);
        try {
            await().atMost(VERIFY).until(() -> running.get() == CORES);
        } finally {
            gate.countDown();
        }
        await().atMost(VERIFY).until(() -> result.get() != null);
        subscription.dispose();
        assertThat(result.get()).isEqualTo(tasks * (tasks - 1) / 2);
        assertThat(max).hasValue(CORES);
        assertThat(threads.size()).isLessThanOrEqualTo(CORES);
    }

    @Test
    void cancellingARunningCpuTaskInterruptsIt() throws InterruptedException {
        assertCancellationInterrupts(Offload::cpu);
    }

    @Test
    void cpuTaskCancelledWhileQueuedNeverRuns() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(CORES);
        Disposable blockers = Flux.range(0, CORES)
                .flatMap(
                        i -> Offload.cpu(() -> {
                            busy.countDown();
                            gate.await();
                            return i;
                        }),
                        CORES)
                .subscribe();
        AtomicBoolean queuedRan = new AtomicBoolean();
        try {
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            Disposable queued = Offload.cpu(() -> queuedRan.getAndSet(true)).subscribe();
            queued.dispose();
        } finally {
            gate.countDown();
        }
        // Tasks queued after the cancelled one run after it would have: once they are done, it had its chance.
        StepVerifier.create(Flux.range(0, CORES * 4)
                        .flatMap(i -> Offload.cpu(() -> i))
                        .count())
                .expectNext((long) CORES * 4)
                .expectComplete()
                .verify(VERIFY);
        blockers.dispose();
        assertThat(queuedRan).isFalse();
    }

    // ---- await ---------------------------------------------------------------------------------------------------

    @Test
    void awaitReturnsTheValueOrNullForEmpty() {
        String value = Offload.await(Mono.just("v"), VERIFY);
        String none = Offload.await(Mono.<String>empty(), VERIFY);
        String late = Offload.await(Mono.delay(Duration.ofMillis(10)).map(tick -> "late"), VERIFY);
        assertThat(value).isEqualTo("v");
        assertThat(none).isNull();
        assertThat(late).isEqualTo("late");
    }

    @Test
    void awaitRethrowsUncheckedErrorsUnchangedAndWrapsCheckedOnes() {
        IllegalStateException bug = new IllegalStateException("bug");
        assertThatThrownBy(() -> Offload.await(Mono.error(bug), VERIFY)).isSameAs(bug);
        IOException io = new IOException("io");
        assertThatThrownBy(() -> Offload.await(Mono.error(io), VERIFY))
                .isInstanceOf(RuntimeException.class)
                .hasCause(io);
    }

    @Test
    void awaitTimeoutCancelsTheMono() {
        PublisherProbe<Object> never = PublisherProbe.of(Mono.never());
        assertThatIllegalStateException()
                .isThrownBy(() -> Offload.await(never.mono(), Duration.ofMillis(20)))
                .withMessageStartingWith("Timeout on blocking read");
        never.assertWasCancelled();
    }

    @Test
    void awaitRefusesOnANonBlockingThreadWithoutSubscribing() {
        PublisherProbe<String> probe = PublisherProbe.of(Mono.just("x"));
        AtomicReference<String> thread = new AtomicReference<>();
        Mono<String> onParallel = Mono.fromCallable(() -> {
                    thread.set(Thread.currentThread().getName());
                    return Offload.await(probe.mono(), VERIFY);
                })
                .subscribeOn(Schedulers.parallel());
        StepVerifier.create(onParallel)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isExactlyInstanceOf(IllegalStateException.class)
                        .hasMessage("Offload.await would block the non-blocking thread " + thread.get()
                                + "; compose the Mono instead of waiting for it"))
                .verify(VERIFY);
        assertThat(thread.get()).startsWith("parallel-");
        probe.assertWasNotSubscribed();
    }

    @Test
    void awaitWorksOnABlockingThread() {
        StepVerifier.create(
                        Offload.blocking(() -> Offload.await(Mono.just(7).subscribeOn(Schedulers.parallel()), VERIFY)))
                .expectNext(7)
                .expectComplete()
                .verify(VERIFY);
    }

    // ---- bad arguments -------------------------------------------------------------------------------------------

    @Test
    void badArgumentsAreRejectedWithExactMessages() {
        assertThatNullPointerException()
                .isThrownBy(() -> Offload.blocking(null))
                .withMessage("task");
        assertThatNullPointerException().isThrownBy(() -> Offload.cpu(null)).withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> Offload.await(null, VERIFY))
                .withMessage("mono");
        assertThatNullPointerException()
                .isThrownBy(() -> Offload.await(Mono.just(1), null))
                .withMessage("timeout");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Offload.await(Mono.just(1), Duration.ZERO))
                .withMessage("timeout > 0 required but it was PT0S");
    }

    private interface Offloader {
        Mono<Object> offload(java.util.concurrent.Callable<Object> task);
    }

    private static void assertCancellationInterrupts(Offloader offloader) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicReference<Object> delivered = new AtomicReference<>();
        Disposable subscription = offloader
                .offload(() -> {
                    started.countDown();
                    try {
                        never.await();
                        return "finished";
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                })
                .subscribe(delivered::set, delivered::set, () -> delivered.compareAndSet(null, "completed"));
        assertThat(started.await(10, TimeUnit.SECONDS)).as("task started").isTrue();
        subscription.dispose();
        assertThat(interrupted.await(10, TimeUnit.SECONDS))
                .as("running task interrupted")
                .isTrue();
        assertThat(delivered.get()).as("nothing reaches a cancelled subscriber").isNull();
    }
}
