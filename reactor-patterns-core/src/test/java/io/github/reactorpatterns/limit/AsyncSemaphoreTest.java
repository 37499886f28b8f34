package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;
import reactor.test.util.RaceTestUtils;

class AsyncSemaphoreTest {

    private static Permit take(AsyncSemaphore sem) {
        return sem.tryAcquireNow().orElseThrow();
    }

    // ---- normal flow ----

    @Test
    void acquireGrantsAtOnceWhenPermitsAreFree() {
        AsyncSemaphore sem = AsyncSemaphore.of(2);
        Permit p = sem.acquire().block(Duration.ofSeconds(5));
        assertThat(p).isNotNull();
        assertThat(p.permits()).isEqualTo(1);
        assertThat(sem.availablePermits()).isEqualTo(1);
        p.release();
        assertThat(sem.availablePermits()).isEqualTo(2);
    }

    @Test
    void acquireIsLazy() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Mono<Permit> acquire = sem.acquire();
        assertThat(sem.availablePermits()).isEqualTo(1);
        Permit p = acquire.block(Duration.ofSeconds(5));
        assertThat(sem.availablePermits()).isZero();
        p.release();
        // Re-subscribing acquires afresh.
        acquire.block(Duration.ofSeconds(5));
        assertThat(sem.availablePermits()).isZero();
    }

    @Test
    void releaseIsIdempotent() {
        AsyncSemaphore sem = AsyncSemaphore.of(3);
        Permit p = sem.acquire(2).block(Duration.ofSeconds(5));
        assertThat(sem.availablePermits()).isEqualTo(1);
        p.release();
        p.release();
        assertThat(p.isReleased()).isTrue();
        assertThat(sem.availablePermits()).isEqualTo(3);
    }

    @Test
    void tryAcquireTakesAFreePermitOrNothing() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Optional<Permit> first = sem.tryAcquireNow();
        assertThat(first).isPresent();
        assertThat(sem.tryAcquireNow()).isEmpty();
        first.get().release();
        first.get().release();
        assertThat(sem.availablePermits()).isEqualTo(1);
        assertThat(sem.tryAcquireNow()).isPresent();
    }

    @Test
    void waiterIsGrantedWhenAPermitIsReleased() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        StepVerifier.create(sem.acquire())
                .expectSubscription()
                .then(() -> assertThat(sem.waiting()).isEqualTo(1))
                .then(held::release)
                .assertNext(p -> assertThat(sem.availablePermits()).isZero())
                .verifyComplete();
        assertThat(sem.waiting()).isZero();
    }

    @Test
    void withPermitReleasesOnCompleteErrorAndEmpty() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        StepVerifier.create(sem.withPermit(Mono.fromCallable(() -> sem.availablePermits())))
                .expectNext(0)
                .verifyComplete();
        assertThat(sem.availablePermits()).isEqualTo(1);

        IllegalStateException boom = new IllegalStateException("boom");
        StepVerifier.create(sem.withPermit(Mono.error(boom)))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
                .verify(Duration.ofSeconds(5));
        assertThat(sem.availablePermits()).isEqualTo(1);

        StepVerifier.create(sem.withPermit(Mono.empty())).verifyComplete();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermitReleasesBeforeTheResultReachesDownstream() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        AtomicInteger seenOnNext = new AtomicInteger(-1);
        AtomicInteger seenOnComplete = new AtomicInteger(-1);
        sem.withPermit(Mono.just(1)).subscribe(new BaseSubscriber<Integer>() {
            @Override
            protected void hookOnNext(Integer value) {
                seenOnNext.set(sem.availablePermits());
            }

            @Override
            protected void hookOnComplete() {
                seenOnComplete.set(sem.availablePermits());
            }
        });
        assertThat(seenOnNext.get()).isZero();
        assertThat(seenOnComplete.get()).isEqualTo(1);
    }

    @Test
    void withPermitTaskRunsOnlyAfterTheGrant() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        PublisherProbe<String> task = PublisherProbe.of(Mono.just("done"));
        StepVerifier.create(sem.withPermit(task.mono()))
                .expectSubscription()
                .then(() -> task.assertWasNotSubscribed())
                .then(held::release)
                .expectNext("done")
                .verifyComplete();
        task.assertWasSubscribed();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermitFluxHoldsThePermitUntilTheFluxEndsAndKeepsBackpressure() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(sem.withPermit(source.flux()), 0)
                .expectSubscription()
                .then(() -> assertThat(sem.availablePermits()).isZero())
                .thenRequest(2)
                .then(() -> source.assertMinRequested(2))
                .then(() -> source.next(1, 2))
                .expectNext(1, 2)
                .then(() -> source.assertMaxRequested(2))
                .then(() -> assertThat(sem.availablePermits()).isZero())
                .then(source::complete)
                .verifyComplete();
        assertThat(sem.availablePermits()).isEqualTo(1);

        StepVerifier.create(sem.withPermit(Flux.<Integer>empty())).verifyComplete();
        StepVerifier.create(sem.withPermit(Flux.<Integer>error(new IllegalStateException("x"))))
                .verifyErrorMessage("x");
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    // ---- cancellation ----

    @Test
    void withPermitCancelledWhileTaskRunsReleases() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        PublisherProbe<Object> task = PublisherProbe.of(Mono.never());
        StepVerifier.create(sem.withPermit(task.mono()))
                .expectSubscription()
                .then(() -> assertThat(sem.availablePermits()).isZero())
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        task.assertWasCancelled();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void withPermitCancelledBeforeThePermitArrivesNeverRunsTheTask() {
        // The usingWhen trap: cancelled before the resource arrives. Here the waiter leaves the queue.
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        PublisherProbe<Object> task = PublisherProbe.empty();
        StepVerifier.create(sem.withPermit(task.mono()))
                .expectSubscription()
                .then(() -> assertThat(sem.waiting()).isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(sem.waiting()).isZero();
        held.release();
        task.assertWasNotSubscribed();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void cancelledWaiterLeavesQueueAtOnce() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        List<Disposable> waiters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiters.add(sem.acquire().subscribe());
        }
        assertThat(sem.waiting()).isEqualTo(10);
        waiters.get(4).dispose();
        assertThat(sem.waiting()).isEqualTo(9);
        waiters.forEach(Disposable::dispose);
        assertThat(sem.waiting()).isZero();
        held.release();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void permitGrantedButNotYetRequestedIsReleasedOnCancel() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        sem.acquire().subscribe(new BaseSubscriber<Permit>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                subscription.set(s); // no request: the grant cannot be delivered
            }
        });
        assertThat(sem.availablePermits()).isZero();
        subscription.get().cancel();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void permitDeliveredOnlyWhenRequested() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        StepVerifier.create(sem.acquire(), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(10))
                .thenRequest(1)
                .assertNext(Permit::release)
                .verifyComplete();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void cancelInOnSubscribeTakesNothing() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        sem.acquire().subscribe(new BaseSubscriber<Permit>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.cancel();
            }
        });
        assertThat(sem.availablePermits()).isEqualTo(1);
        assertThat(sem.waiting()).isZero();
    }

    @Test
    void grantRacingCancelReturnsPermit() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        for (int i = 0; i < 10_000; i++) {
            Permit held = take(sem);
            // BaseSubscriber hands every onNext to the hook, even one that races its own cancel: a permit that
            // reached onNext belongs to the subscriber, any other is the semaphore's to take back.
            AtomicReference<Permit> got = new AtomicReference<>();
            BaseSubscriber<Permit> waiter = new BaseSubscriber<>() {
                @Override
                protected void hookOnNext(Permit p) {
                    got.set(p);
                }
            };
            sem.acquire().subscribe(waiter);
            RaceTestUtils.race(held::release, waiter::dispose);
            Permit p = got.get();
            if (p != null) {
                p.release();
            }
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(1);
            assertThat(sem.waiting()).as("round %d", i).isZero();
        }
    }

    @Test
    void withPermitGrantRacingCancelReturnsPermit() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            Permit held = take(sem);
            Disposable waiter =
                    sem.withPermit(Mono.fromCallable(ran::incrementAndGet)).subscribe();
            RaceTestUtils.race(held::release, waiter::dispose);
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(1);
            assertThat(sem.waiting()).as("round %d", i).isZero();
        }
    }

    @Test
    void withPermitCancelRacingTaskCompletionReleasesOnce() {
        AsyncSemaphore sem = AsyncSemaphore.of(2);
        for (int i = 0; i < 10_000; i++) {
            Sinks.One<Integer> result = Sinks.one();
            Disposable d = sem.withPermit(result.asMono()).subscribe();
            RaceTestUtils.race(() -> result.tryEmitValue(1), d::dispose);
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(2);
        }
    }

    @Test
    void requestRacingCancelAfterGrantReturnsPermitExactlyOnce() {
        AsyncSemaphore sem = AsyncSemaphore.of(2);
        for (int i = 0; i < 10_000; i++) {
            AtomicReference<Subscription> subscription = new AtomicReference<>();
            AtomicReference<Permit> got = new AtomicReference<>();
            sem.acquire().subscribe(new BaseSubscriber<Permit>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    subscription.set(s);
                }

                @Override
                protected void hookOnNext(Permit p) {
                    got.set(p);
                }
            });
            Subscription s = subscription.get();
            RaceTestUtils.race(() -> s.request(1), s::cancel);
            Permit p = got.get();
            if (p != null) {
                p.release();
            }
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(2);
        }
    }

    /**
     * Regression: {@code acquire().subscribe(consumer)} disposed while {@code release()} grants to it lost the permit
     * (the lambda subscriber drops a value that arrives after its dispose, and the source cannot tell). The callback
     * form never hands the permit to such a subscriber: after every round all permits are back.
     */
    @Test
    void acquireCallbackDisposedWhileReleaseGrantsNeverLosesThePermit() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        AtomicInteger granted = new AtomicInteger();
        for (int i = 0; i < 100_000; i++) {
            Permit held = take(sem);
            AtomicReference<Permit> got = new AtomicReference<>();
            Disposable waiter = sem.acquire(
                    p -> {
                        granted.incrementAndGet();
                        got.set(p);
                    },
                    e -> {});
            RaceTestUtils.race(held::release, waiter::dispose);
            Permit p = got.get();
            if (p != null) {
                p.release();
            }
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(1);
            assertThat(sem.waiting()).as("round %d", i).isZero();
        }
        // Both outcomes of the race happened: a test where one side always wins proves nothing.
        assertThat(granted.get()).isBetween(1, 99_999);
    }

    @Test
    void acquireCallbackGrantsReleasesAndReportsErrors() {
        AsyncSemaphore sem = AsyncSemaphore.builder(1).maxWaiters(0).build();
        AtomicReference<Permit> got = new AtomicReference<>();
        Disposable first = sem.acquire(got::set, e -> {});
        assertThat(got.get()).isNotNull();
        assertThat(got.get().permits()).isEqualTo(1);
        assertThat(first.isDisposed()).isTrue();
        first.dispose(); // once granted, the permit is the callback's: dispose does nothing
        assertThat(sem.availablePermits()).isZero();

        AtomicReference<Throwable> error = new AtomicReference<>();
        sem.acquire(p -> {}, error::set);
        assertThat(error.get()).isInstanceOf(SemaphoreFullException.class);

        got.get().release();
        got.get().release();
        assertThat(got.get().isReleased()).isTrue();
        assertThat(sem.availablePermits()).isEqualTo(1);

        RuntimeException boom = new RuntimeException("boom");
        sem.acquire(
                p -> {
                    throw boom;
                },
                error::set);
        assertThat(error.get()).isSameAs(boom);
        assertThat(sem.availablePermits()).isEqualTo(1);

        assertThatNullPointerException()
                .isThrownBy(() -> sem.acquire(null, e -> {}))
                .withMessage("onGranted");
        assertThatNullPointerException()
                .isThrownBy(() -> sem.acquire(p -> {}, null))
                .withMessage("onError");
    }

    @Test
    void acquireCallbackDisposedWhileWaitingLeavesTheQueue() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        AtomicReference<Permit> got = new AtomicReference<>();
        Disposable waiter = sem.acquire(got::set, e -> {});
        assertThat(sem.waiting()).isEqualTo(1);
        assertThat(waiter.isDisposed()).isFalse();
        waiter.dispose();
        assertThat(waiter.isDisposed()).isTrue();
        assertThat(sem.waiting()).isZero();
        held.release();
        assertThat(got.get()).isNull();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    /**
     * {@code tryAcquire()} racing a cancel: a permit taken for a subscriber that cancelled first is given back, one
     * that reached {@code onNext} is the subscriber's (which releases it here).
     */
    @Test
    void tryAcquireRacingCancelNeverLosesThePermit() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        for (int i = 0; i < 10_000; i++) {
            AtomicReference<Subscription> subscription = new AtomicReference<>();
            sem.tryAcquire().subscribe(new BaseSubscriber<Permit>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    subscription.set(s);
                }

                @Override
                protected void hookOnNext(Permit p) {
                    p.release();
                }
            });
            Subscription s = subscription.get();
            RaceTestUtils.race(() -> s.request(1), s::cancel);
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(1);
        }
    }

    /**
     * Regression: a cancel that arrived while the granted task was still being subscribed (before its
     * {@code onSubscribe}) released the permit at once, so the next waiter could start while this task was still
     * starting: one more task running than permits (seen as "expected at most 4 concurrent subscriptions but
     * observed 5" in {@link #randomCancelsAtEveryPointReturnEveryPermit}). Now the permit is held until the task's
     * subscription has been cancelled.
     */
    @Test
    void withPermitCancelledWhileTheTaskIsBeingSubscribedHoldsThePermitUntilTheTaskIsCancelled() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        AtomicReference<Disposable> waiter = new AtomicReference<>();
        AtomicInteger freeWhileSubscribing = new AtomicInteger(-1);
        AtomicBoolean taskCancelled = new AtomicBoolean();
        Mono<Integer> task = new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Integer> actual) {
                waiter.get().dispose(); // the cancel arrives before the task has called onSubscribe
                freeWhileSubscribing.set(sem.availablePermits());
                actual.onSubscribe(new Subscription() {
                    @Override
                    public void request(long n) {
                        actual.onNext(1);
                        actual.onComplete();
                    }

                    @Override
                    public void cancel() {
                        taskCancelled.set(true);
                    }
                });
            }
        };
        waiter.set(sem.withPermit(task).subscribe());
        held.release(); // grants the waiter on this thread: its task is subscribed here
        assertThat(freeWhileSubscribing.get())
                .as("permits free while the task was starting")
                .isZero();
        assertThat(taskCancelled).isTrue();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    /**
     * Regression: {@code request(n <= 0)} on {@code withPermit}'s subscription signalled {@code onError} even after
     * {@code onComplete}, or while the task's {@code onNext} was running on another thread.
     */
    @Test
    void withPermitNonPositiveRequestNeverSignalsAfterOrAlongsideTheTasksSignals() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        RecordingSubscriber<Integer> done = new RecordingSubscriber<>();
        sem.withPermit(Mono.just(1)).subscribe(done);
        done.subscription.request(1);
        done.subscription.request(0);
        done.subscription.request(-1);
        assertThat(done.signals).containsExactly("onNext(1)", "onComplete");

        RecordingSubscriber<Integer> waiting = new RecordingSubscriber<>();
        Permit held = take(sem);
        sem.withPermit(Mono.just(2)).subscribe(waiting);
        waiting.subscription.request(-1);
        assertThat(waiting.signals)
                .containsExactly("onError(Spec. Rule 3.9 - Cannot request a non strictly positive number: -1)");
        assertThat(sem.waiting()).isZero();
        held.release();
        assertThat(waiting.signals).hasSize(1);
        assertThat(sem.availablePermits()).isEqualTo(1);

        for (int i = 0; i < 10_000; i++) {
            RecordingSubscriber<Integer> racing = new RecordingSubscriber<>();
            sem.withPermit(Mono.just(i)).subscribe(racing);
            int round = i;
            RaceTestUtils.race(() -> racing.subscription.request(1), () -> racing.subscription.request(0));
            assertThat(List.copyOf(racing.signals))
                    .as("round %d", i)
                    .isIn(
                            List.of("onNext(" + round + ")", "onComplete"),
                            List.of("onError(Spec. Rule 3.9 - Cannot request a non strictly positive number: 0)"));
            assertThat(racing.overlapped).as("round %d: signals overlapped", i).isFalse();
            assertThat(sem.availablePermits()).as("round %d", i).isEqualTo(1);
        }
    }

    /** Records every signal and whether two of them ever ran at the same time. */
    static final class RecordingSubscriber<T> implements CoreSubscriber<T> {
        final List<String> signals = new CopyOnWriteArrayList<>();
        final AtomicInteger inSignal = new AtomicInteger();
        volatile boolean overlapped;
        volatile Subscription subscription;

        private void record(String signal) {
            if (inSignal.getAndIncrement() != 0) {
                overlapped = true;
            }
            signals.add(signal);
            inSignal.decrementAndGet();
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(T t) {
            record("onNext(" + t + ")");
        }

        @Override
        public void onError(Throwable t) {
            record("onError(" + t.getMessage() + ")");
        }

        @Override
        public void onComplete() {
            record("onComplete");
        }
    }

    @Test
    void operatorsAreScannableAndGoThroughAssembly() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Mono<Integer> task = Mono.just(1);
        Mono<Integer> withPermit = sem.withPermit(task);
        Scannable op = Scannable.from(withPermit);
        assertThat(op.isScanAvailable()).isTrue();
        assertThat(op.scan(Scannable.Attr.PARENT)).isSameAs(task);
        assertThat(op.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        assertThat(Scannable.from(withPermit.map(i -> i)).steps())
                .containsExactly("source(MonoJust)", "withPermit", "map");
        Scannable acquire = Scannable.from(sem.acquire());
        assertThat(acquire.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        assertThat(acquire.steps()).containsExactly("source(AsyncSemaphore.acquire)");

        // The subscription side: a waiter, then a granted permit, then a cancelled waiter.
        Permit held = take(sem);
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        BaseSubscriber<Permit> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                subscription.set(s);
                s.request(1);
            }

            @Override
            protected void hookOnNext(Permit p) {
                p.release();
            }
        };
        sem.acquire().subscribe(subscriber);
        Scannable waiter = Scannable.from(subscription.get());
        assertThat(waiter.scanUnsafe(Scannable.Attr.ACTUAL)).isSameAs(subscriber);
        assertThat(waiter.scan(Scannable.Attr.CANCELLED)).isFalse();
        assertThat(waiter.scan(Scannable.Attr.TERMINATED)).isFalse();
        assertThat(waiter.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        held.release();
        assertThat(waiter.scan(Scannable.Attr.TERMINATED)).isTrue();

        AtomicReference<Subscription> withPermitSubscription = new AtomicReference<>();
        Sinks.One<Integer> running = Sinks.one();
        BaseSubscriber<Integer> downstream = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                withPermitSubscription.set(s);
                s.request(1);
            }
        };
        sem.withPermit(running.asMono()).subscribe(downstream);
        Scannable node = Scannable.from(withPermitSubscription.get());
        assertThat(node.scanUnsafe(Scannable.Attr.ACTUAL)).isSameAs(downstream);
        assertThat(node.scan(Scannable.Attr.PARENT)).isNotNull();
        assertThat(node.scan(Scannable.Attr.CANCELLED)).isFalse();
        downstream.dispose();
        assertThat(node.scan(Scannable.Attr.CANCELLED)).isTrue();
        assertThat(node.scan(Scannable.Attr.TERMINATED)).isFalse();
        assertThat(sem.availablePermits()).isEqualTo(1);

        // Assembly hooks see the operators, so checkpoint() and Hooks.onOperatorDebug() can describe them.
        List<Object> assembled = new CopyOnWriteArrayList<>();
        Hooks.onEachOperator("limit-test", p -> {
            assembled.add(p);
            return p;
        });
        try {
            Mono<Permit> a = sem.acquire();
            Mono<Integer> w = sem.withPermit(task);
            assertThat(assembled).contains(a, w);
        } finally {
            Hooks.resetOnEachOperator("limit-test");
        }
    }

    @Test
    void randomCancelsAtEveryPointReturnEveryPermit() throws InterruptedException {
        int permits = 4;
        AsyncSemaphore sem = AsyncSemaphore.of(permits);
        int tasks = 100_000;
        CountDownLatch done = new CountDownLatch(tasks);
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        for (int i = 0; i < tasks; i++) {
            Mono<Integer> task = probe.wrap(Mono.just(i)
                    .delayElement(Duration.ofNanos(ThreadLocalRandom.current().nextInt(20_000))));
            Disposable d = sem.withPermit(task)
                    .subscribeOn(Schedulers.parallel())
                    .doFinally(s -> done.countDown())
                    .subscribe();
            int r = ThreadLocalRandom.current().nextInt(3);
            if (r == 0) {
                d.dispose(); // usually while waiting, sometimes at the grant, sometimes while the task runs
            } else if (r == 1) {
                Schedulers.parallel()
                        .schedule(d::dispose, ThreadLocalRandom.current().nextInt(50), TimeUnit.MICROSECONDS);
            }
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        probe.assertMaxAtMost(permits);
        // The last doFinally may still be releasing on another thread.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(sem.availablePermits()).isEqualTo(permits);
            assertThat(sem.waiting()).isZero();
        });
    }

    // ---- FIFO and weights ----

    @Test
    void waitersAreGrantedInArrivalOrder() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        List<Integer> order = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            int id = i;
            sem.withPermit(Mono.fromRunnable(() -> order.add(id))).subscribe();
        }
        held.release();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertThat(order).containsExactlyElementsOf(expected);
    }

    @Test
    void weightedHeadIsNotStarvedBySmallerWaitersBehindIt() {
        AsyncSemaphore sem = AsyncSemaphore.of(4);
        Permit a = take(sem);
        Permit b = take(sem);
        List<String> order = new CopyOnWriteArrayList<>();
        Disposable big = sem.acquire(4).subscribe(p -> {
            order.add("big");
            p.release();
        });
        Disposable small = sem.acquire(1).subscribe(p -> {
            order.add("small");
            p.release();
        });
        // Two permits are free, but the small waiter must not overtake the big one.
        assertThat(order).isEmpty();
        assertThat(sem.tryAcquireNow()).isEmpty();
        assertThat(sem.waiting()).isEqualTo(2);
        a.release();
        assertThat(order).isEmpty();
        b.release();
        assertThat(order).containsExactly("big", "small");
        assertThat(sem.availablePermits()).isEqualTo(4);
        big.dispose();
        small.dispose();
    }

    @Test
    void cancelledWeightedHeadLetsSmallerWaitersThrough() {
        AsyncSemaphore sem = AsyncSemaphore.of(2);
        Permit held = take(sem);
        Disposable big = sem.acquire(2).subscribe();
        AtomicReference<Permit> small = new AtomicReference<>();
        sem.acquire(1).subscribe(small::set);
        assertThat(small.get()).isNull();
        big.dispose();
        assertThat(small.get()).isNotNull();
        assertThat(sem.waiting()).isZero();
        small.get().release();
        held.release();
        assertThat(sem.availablePermits()).isEqualTo(2);
    }

    @Test
    void unfairSemaphoreLetsNewCallersBarge() {
        AsyncSemaphore sem = AsyncSemaphore.builder(2).fair(false).build();
        Permit a = take(sem);
        Disposable big = sem.acquire(2).subscribe();
        assertThat(sem.waiting()).isEqualTo(1);
        assertThat(sem.tryAcquireNow()).isPresent();
        big.dispose();
        a.release();
    }

    // ---- no stack overflow ----

    @Test
    void millionSynchronousTasksBehindOnePermitDoNotOverflowTheStack() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Permit held = take(sem);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        Mono<Integer> task = sem.withPermit(Mono.fromCallable(ran::incrementAndGet));
        int n = 1_000_000;
        for (int i = 0; i < n; i++) {
            task.subscribe(v -> {}, e -> {}, completed::incrementAndGet);
        }
        assertThat(sem.waiting()).isEqualTo(n);
        held.release();
        assertThat(ran.get()).isEqualTo(n);
        assertThat(completed.get()).isEqualTo(n);
        assertThat(sem.availablePermits()).isEqualTo(1);
        assertThat(sem.waiting()).isZero();
    }

    // ---- limits and concurrency ----

    @Test
    void neverMoreThanNPermitsHeldAcrossUnrelatedPipelines() {
        AsyncSemaphore sem = AsyncSemaphore.of(3);
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        Flux<Integer> pipelines = Flux.range(0, 8)
                .flatMap(
                        p -> Flux.range(0, 500)
                                .flatMap(
                                        i -> sem.withPermit(probe.wrap(
                                                Mono.fromCallable(() -> i).subscribeOn(Schedulers.parallel()))),
                                        16),
                        8);
        StepVerifier.create(pipelines.count()).expectNext(4000L).verifyComplete();
        probe.assertMaxAtMost(3);
        assertThat(probe.max()).isGreaterThan(1);
        assertThat(sem.availablePermits()).isEqualTo(3);
    }

    @Test
    void twoThreadsRacingAcquireAndReleaseNeverExceedTheLimit() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        Runnable critical = () -> sem.withPermit(Mono.fromRunnable(() -> {
                    if (holders.incrementAndGet() > 1) {
                        violations.incrementAndGet();
                    }
                    holders.decrementAndGet();
                }))
                .subscribe();
        for (int i = 0; i < 10_000; i++) {
            RaceTestUtils.race(critical, critical);
        }
        assertThat(violations.get()).isZero();
        assertThat(sem.availablePermits()).isEqualTo(1);
        assertThat(sem.waiting()).isZero();
    }

    @Test
    void weightedAcquiresRacingOnTwoThreadsKeepTheCount() {
        AsyncSemaphore sem = AsyncSemaphore.of(3);
        for (int i = 0; i < 10_000; i++) {
            Runnable two = () -> sem.acquire(2).subscribe(Permit::release);
            Runnable one = () -> sem.acquire(1).subscribe(Permit::release);
            RaceTestUtils.race(two, one);
            assertThat(sem.availablePermits()).isEqualTo(3);
            assertThat(sem.waiting()).isZero();
        }
    }

    // ---- maxWaiters ----

    @Test
    void acquireBeyondMaxWaitersFailsAtOnce() {
        AsyncSemaphore sem = AsyncSemaphore.builder(1).maxWaiters(1).build();
        Permit held = take(sem);
        Disposable waiter = sem.acquire().subscribe();
        StepVerifier.create(sem.withPermit(Mono.just(1)))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(SemaphoreFullException.class)
                        .hasMessage("semaphore has no free permit and its 1 waiters (maxWaiters) are all taken")
                        .satisfies(x -> assertThat(((SemaphoreFullException) x).maxWaiters())
                                .isEqualTo(1)))
                .verify(Duration.ofSeconds(5));
        assertThat(sem.waiting()).isEqualTo(1);
        waiter.dispose();
        held.release();
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void zeroMaxWaitersNeverWaits() {
        AsyncSemaphore sem = AsyncSemaphore.builder(1).maxWaiters(0).build();
        StepVerifier.create(sem.withPermit(sem.withPermit(Mono.just(1)))).verifyError(SemaphoreFullException.class);
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void builderIsReusable() {
        AsyncSemaphore.Builder builder = AsyncSemaphore.builder(2);
        AsyncSemaphore a = builder.build();
        AsyncSemaphore b = builder.build();
        take(a);
        assertThat(b.availablePermits()).isEqualTo(2);
        assertThat(a.permits()).isEqualTo(2);
    }

    // ---- bad arguments ----

    @Test
    void badArgumentsFailAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncSemaphore.of(0))
                .withMessage("permits > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncSemaphore.builder(-1))
                .withMessage("permits > 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncSemaphore.builder(1).maxWaiters(-1))
                .withMessage("maxWaiters >= 0 required but it was -1");
        AsyncSemaphore sem = AsyncSemaphore.of(3);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> sem.acquire(0))
                .withMessage("permits > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> sem.acquire(4))
                .withMessage("permits <= 3 (the semaphore's total) required but it was 4");
        assertThatNullPointerException()
                .isThrownBy(() -> sem.withPermit((Mono<Object>) null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> sem.withPermit((Flux<Object>) null))
                .withMessage("task");
    }

    @Test
    void nonPositiveRequestSignalsIllegalArgumentAndGivesBackThePermit() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        sem.acquire().subscribe(new BaseSubscriber<Permit>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(0);
            }

            @Override
            protected void hookOnError(Throwable t) {
                error.set(t);
            }
        });
        assertThat(error.get())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Spec. Rule 3.9 - Cannot request a non strictly positive number: 0");
        assertThat(sem.availablePermits()).isEqualTo(1);
    }

    @Test
    void manyWaitersOnASinkDrivenTaskReleaseInOrder() {
        AsyncSemaphore sem = AsyncSemaphore.of(1);
        Sinks.One<String> gate = Sinks.one();
        List<String> seen = new CopyOnWriteArrayList<>();
        sem.withPermit(gate.asMono()).subscribe(seen::add);
        sem.withPermit(Mono.just("second")).subscribe(seen::add);
        assertThat(seen).isEmpty();
        gate.tryEmitValue("first");
        assertThat(seen).containsExactly("first", "second");
    }
}
