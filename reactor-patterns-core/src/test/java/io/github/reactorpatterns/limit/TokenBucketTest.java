package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    private final VirtualTimeScheduler vts = VirtualTimeScheduler.create();

    private TokenBucket bucket(long tokens, Duration per, int burst) {
        return TokenBucket.builder()
                .rate(tokens, per)
                .burst(burst)
                .scheduler(vts)
                .build();
    }

    private long now() {
        return vts.now(TimeUnit.NANOSECONDS);
    }

    /** Subscribes an acquire and records the virtual time of its grant. */
    private Disposable acquireRecording(TokenBucket bucket, int tokens, List<Long> grants) {
        return bucket.acquire(tokens).subscribe(null, e -> {}, () -> grants.add(now()));
    }

    // ---- normal flow ----

    @Test
    void burstIsAvailableAtOnceThenTokensArePacedAtTheRate() {
        TokenBucket bucket = bucket(10, Duration.ofSeconds(1), 3);
        List<Long> grants = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            acquireRecording(bucket, 1, grants);
        }
        assertThat(grants).containsExactly(0L, 0L, 0L);
        assertThat(bucket.waiting()).isEqualTo(2);
        vts.advanceTimeBy(Duration.ofMillis(99));
        assertThat(grants).hasSize(3);
        vts.advanceTimeBy(Duration.ofMillis(1));
        assertThat(grants).containsExactly(0L, 0L, 0L, 100_000_000L);
        vts.advanceTimeBy(Duration.ofMillis(100));
        assertThat(grants).containsExactly(0L, 0L, 0L, 100_000_000L, 200_000_000L);
        assertThat(bucket.waiting()).isZero();
    }

    @Test
    void initiallyEmptyBucketGrantsTheFirstTokenAfterOneInterval() {
        TokenBucket bucket = TokenBucket.builder()
                .rate(4, Duration.ofSeconds(1))
                .burst(2)
                .initiallyFull(false)
                .scheduler(vts)
                .build();
        assertThat(bucket.tryAcquireNow(1)).isFalse();
        assertThat(bucket.estimatedWaitNow(1)).isEqualTo(Duration.ofMillis(250));
        vts.advanceTimeBy(Duration.ofMillis(250));
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        assertThat(bucket.tryAcquireNow(1)).isFalse();
    }

    @Test
    void acquireIsLazyAndCompletesEmpty() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        Mono<Void> acquire = bucket.acquire();
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        StepVerifier.withVirtualTime(() -> acquire, () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .verifyComplete();
    }

    @Test
    void withTokenSubscribesTheTaskOnlyAfterTheToken() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(2), 1);
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        PublisherProbe<String> task = PublisherProbe.of(Mono.just("ok"));
        StepVerifier.withVirtualTime(() -> bucket.withToken(task.mono()), () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .then(task::assertWasNotSubscribed)
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ok")
                .verifyComplete();
        task.assertWasSubscribed();
    }

    @Test
    void withTokenPassesErrorsAndEmptyThrough() {
        TokenBucket bucket = bucket(1000, Duration.ofSeconds(1), 10);
        StepVerifier.create(bucket.withToken(Mono.error(new IllegalStateException("boom"))))
                .verifyErrorMessage("boom");
        StepVerifier.create(bucket.withToken(Mono.empty())).verifyComplete();
    }

    @Test
    void estimatedWaitCountsQueuedWaiters() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 2);
        assertThat(bucket.estimatedWaitNow(2)).isEqualTo(Duration.ZERO);
        assertThat(bucket.tryAcquireNow(2)).isTrue();
        assertThat(bucket.estimatedWaitNow(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(bucket.estimatedWaitNow(2)).isEqualTo(Duration.ofSeconds(2));
        Disposable waiter = bucket.acquire(2).subscribe();
        assertThat(bucket.estimatedWaitNow(1)).isEqualTo(Duration.ofSeconds(3));
        waiter.dispose();
        assertThat(bucket.estimatedWaitNow(1)).isEqualTo(Duration.ofSeconds(1));
    }

    // ---- FIFO and cancellation ----

    @Test
    void pauseHoldsEveryoneBackThenResumesWithOneTokenAtTheRate() {
        TokenBucket bucket = bucket(10, Duration.ofSeconds(1), 5);
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        List<Long> grants = new ArrayList<>();
        bucket.pauseNow(Duration.ofSeconds(2));
        assertThat(bucket.tryAcquireNow(1)).isFalse();
        acquireRecording(bucket, 1, grants);
        acquireRecording(bucket, 1, grants);
        vts.advanceTimeBy(Duration.ofMillis(1999));
        assertThat(grants).isEmpty();
        assertThat(bucket.tryAcquireNow(1)).isFalse();
        vts.advanceTimeBy(Duration.ofSeconds(1));
        // the first token exactly when the pause ends, then the rate (10/s), not a burst of 5
        assertThat(grants).containsExactly(2 * SECOND, 2 * SECOND + SECOND / 10);
    }

    @Test
    void pauseShorterThanTheBacklogChangesNothing() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        List<Long> grants = new ArrayList<>();
        acquireRecording(bucket, 1, grants);
        acquireRecording(bucket, 1, grants);
        bucket.pauseNow(Duration.ofMillis(500));
        bucket.pauseNow(Duration.ZERO);
        vts.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(grants).containsExactly(SECOND, 2 * SECOND);
    }

    @Test
    void pauseRejectsBadArguments() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        assertThatNullPointerException().isThrownBy(() -> bucket.pauseNow(null)).withMessage("pause");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.pauseNow(Duration.ofMillis(-1)))
                .withMessage("pause >= 0 required but it was PT-0.001S");
        bucket.pauseNow(Duration.ofDays(400));
        assertThat(bucket.estimatedWaitNow(1)).isEqualTo(TokenBucket.MAX_PAUSE);
    }

    @Test
    void cancelledWaitersTokenGoesToTheNextWaiter() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        List<Long> grants = new ArrayList<>();
        Disposable first = acquireRecording(bucket, 1, grants);
        acquireRecording(bucket, 1, grants);
        assertThat(bucket.waiting()).isEqualTo(2);
        vts.advanceTimeBy(Duration.ofMillis(500));
        first.dispose();
        assertThat(bucket.waiting()).isEqualTo(1);
        vts.advanceTimeBy(Duration.ofMillis(500));
        // The second waiter moved up into the first one's slot: granted at 1 s, not 2 s.
        assertThat(grants).containsExactly(SECOND);
        assertThat(bucket.waiting()).isZero();
    }

    @Test
    void cancelledWaiterInTheMiddleLeavesTheQueueAtOnce() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        List<Long> grants = new ArrayList<>();
        acquireRecording(bucket, 1, grants);
        Disposable middle = acquireRecording(bucket, 1, grants);
        acquireRecording(bucket, 1, grants);
        middle.dispose();
        assertThat(bucket.waiting()).isEqualTo(2);
        vts.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(grants).containsExactly(SECOND, 2 * SECOND);
    }

    @Test
    void waitersAreServedFifoAndAWeightedHeadIsNotOvertaken() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 3);
        assertThat(bucket.tryAcquireNow(3)).isTrue();
        List<String> order = new CopyOnWriteArrayList<>();
        bucket.acquire(3).subscribe(null, null, () -> order.add("big@" + now() / SECOND));
        bucket.acquire(1).subscribe(null, null, () -> order.add("small@" + now() / SECOND));
        vts.advanceTimeBy(Duration.ofMillis(1500));
        // A token is there, but it would overtake the big waiter.
        assertThat(bucket.tryAcquireNow(1)).isFalse();
        assertThat(order).isEmpty();
        vts.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(order).containsExactly("big@3", "small@4");
    }

    @Test
    void grantRacingCancelSpendsTheTokenOnlyIfGranted() {
        for (int i = 0; i < 2_000; i++) {
            VirtualTimeScheduler clock = VirtualTimeScheduler.create();
            TokenBucket bucket = TokenBucket.builder()
                    .rate(1, Duration.ofSeconds(1))
                    .scheduler(clock)
                    .build();
            assertThat(bucket.tryAcquireNow(1)).isTrue();
            AtomicBoolean granted = new AtomicBoolean();
            AtomicReference<Subscription> subscription = new AtomicReference<>();
            // A raw subscriber: it sees onComplete even if it arrives while it cancels.
            bucket.acquire().subscribe(new CoreSubscriber<Void>() {
                @Override
                public void onSubscribe(Subscription s) {
                    subscription.set(s);
                }

                @Override
                public void onNext(Void unused) {}

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {
                    granted.set(true);
                }
            });
            RaceTestUtils.race(
                    () -> clock.advanceTimeBy(Duration.ofSeconds(1)),
                    () -> subscription.get().cancel());
            assertThat(bucket.waiting()).isZero();
            // Either the waiter got the token, or the token is still in the bucket: never lost, never doubled.
            assertThat(bucket.tryAcquireNow(1))
                    .as("round %d, granted %s", i, granted.get())
                    .isEqualTo(!granted.get());
        }
    }

    // ---- conformance, exactly, in virtual time ----

    @Test
    void grantsNeverExceedBurstPlusRateTimesWindowUnderRandomDemandAndCancels() {
        // 8/s: an interval of exactly 125 ms, so the bound holds exactly.
        checkWindowBound(8, 0, 42);
        checkWindowBound(8, 0, 7);
    }

    @Test
    void grantsStayWithinTheWindowBoundToTheNanosecondWhenTheIntervalIsFractional() {
        // 7/s: an interval of 142,857,142.857 ns; grants land on whole nanoseconds, so windows get 1 ns of slack.
        checkWindowBound(7, 1, 42);
        checkWindowBound(7, 1, 3);
    }

    private void checkWindowBound(long rateTokens, long slackNanos, long seed) {
        int burst = 5;
        TokenBucket bucket = bucket(rateTokens, Duration.ofSeconds(1), burst);
        Random random = new Random(seed);
        List<long[]> grants = new ArrayList<>(); // {time, tokens, order}
        List<Integer> grantOrder = new ArrayList<>();
        List<Disposable> live = new ArrayList<>();
        AtomicInteger seq = new AtomicInteger();
        for (int step = 0; step < 3_000; step++) {
            int r = random.nextInt(10);
            if (r < 6) {
                int tokens = 1 + random.nextInt(burst);
                int id = seq.getAndIncrement();
                live.add(bucket.acquire(tokens).subscribe(null, null, () -> {
                    grants.add(new long[] {now(), tokens});
                    grantOrder.add(id);
                }));
            } else if (r < 7 && !live.isEmpty()) {
                live.remove(random.nextInt(live.size())).dispose();
            } else if (r < 8) {
                if (bucket.tryAcquireNow(1)) {
                    grants.add(new long[] {now(), 1});
                }
            } else {
                vts.advanceTimeBy(Duration.ofNanos(random.nextInt(400_000_000)));
            }
        }
        vts.advanceTimeBy(Duration.ofDays(1));
        assertThat(grants.size()).isGreaterThan(500);
        for (int i = 0; i < grants.size(); i++) {
            long tokens = 0;
            for (int j = i; j < grants.size(); j++) {
                tokens += grants.get(j)[1];
                long window = grants.get(j)[0] - grants.get(i)[0];
                // tokens <= burst + rate * window, in exact integer arithmetic
                assertThat((tokens - burst) * SECOND)
                        .as("grants %d..%d", i, j)
                        .isLessThanOrEqualTo(rateTokens * (window + slackNanos));
            }
        }
        // Waiters are granted in subscription order.
        assertThat(grantOrder).isSorted();
        assertThat(bucket.waiting()).isZero();
    }

    @Test
    void continuousDemandRunsAtExactlyTheRateWithNoDriftOverAMillionTokens() {
        TokenBucket bucket = bucket(3, Duration.ofSeconds(1), 1); // one token every 333,333,333.3 ns
        int n = 1_000_000;
        AtomicLong count = new AtomicLong();
        AtomicLong last = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        Flux.range(0, n).transform(bucket.throttle()).subscribe(k -> {
            long expected = -Math.floorDiv(-(long) k * SECOND, 3); // ceil(k / rate), exactly
            if (now() != expected) {
                mismatches.incrementAndGet();
            }
            count.incrementAndGet();
            last.set(now());
        });
        vts.advanceTimeBy(Duration.ofDays(4));
        assertThat(count.get()).isEqualTo(n);
        assertThat(mismatches.get()).isZero();
        assertThat(last.get()).isEqualTo(-Math.floorDiv(-(long) (n - 1) * SECOND, 3));
    }

    @Test
    void tryAcquireRacingOnTwoThreadsNeverOverGrants() {
        for (int round = 0; round < 1_000; round++) {
            TokenBucket bucket = bucket(1, Duration.ofHours(1), 10);
            AtomicInteger got = new AtomicInteger();
            Runnable grab = () -> {
                for (int i = 0; i < 8; i++) {
                    if (bucket.tryAcquireNow(1)) {
                        got.incrementAndGet();
                    }
                }
            };
            RaceTestUtils.race(grab, grab);
            assertThat(got.get()).isEqualTo(10);
        }
    }

    // ---- real time ----

    @Test
    void pacesRealTimeAcquisitionsAtTheRate() {
        TokenBucket bucket =
                TokenBucket.builder().rate(200, Duration.ofSeconds(1)).build();
        long start = System.nanoTime();
        StepVerifier.create(Flux.range(0, 50)
                        .concatMap(i -> bucket.acquire().thenReturn(i))
                        .count())
                .expectNext(50L)
                .verifyComplete();
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // 49 intervals of 5 ms = 245 ms; the default clock is Schedulers.parallel().now(), in whole milliseconds,
        // so allow one millisecond of truncation. No upper bound: the machine may be loaded.
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(244);
    }

    @Test
    void waitersAreWokenOnTheParallelSchedulerWithoutBlocking() {
        TokenBucket bucket =
                TokenBucket.builder().rate(1000, Duration.ofSeconds(1)).burst(5).build();
        StepVerifier.create(Flux.range(0, 40)
                        .flatMap(i ->
                                bucket.withToken(Mono.fromCallable(() -> i)).subscribeOn(Schedulers.parallel()))
                        .count())
                .expectNext(40L)
                .verifyComplete();
        assertThat(bucket.waiting()).isZero();
    }

    /**
     * Regression: a bucket built with the default scheduler before {@code StepVerifier.withVirtualTime} (a singleton)
     * kept the real clock it found at construction, so virtual time never refilled it. The default clock is now
     * looked up at each use. Real time would need an hour per token: this can only pass on the virtual clock.
     */
    @Test
    void bucketBuiltBeforeVirtualTimeFollowsTheVirtualClock() {
        TokenBucket bucket = TokenBucket.builder().rate(1, Duration.ofHours(1)).build();
        StepVerifier.withVirtualTime(
                        () -> Flux.range(0, 3).concatMap(i -> bucket.acquire().thenReturn(i)))
                .expectSubscription()
                .expectNext(0)
                .expectNoEvent(Duration.ofHours(1).minusNanos(1))
                .thenAwait(Duration.ofNanos(1))
                .expectNext(1)
                .expectNoEvent(Duration.ofHours(1).minusNanos(1))
                .thenAwait(Duration.ofNanos(1))
                .expectNext(2)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(bucket.waiting()).isZero();
    }

    /**
     * A default-clock bucket used on real time, then while a virtual clock is installed, then on real time again:
     * its tokens and backlog carry over each switch (time passes at the pace of the clock in use).
     */
    @Test
    void defaultClockBucketKeepsItsStateWhenTheClockChanges() {
        TokenBucket bucket =
                TokenBucket.builder().rate(1, Duration.ofHours(1)).burst(2).build();
        assertThat(bucket.tryAcquireNow(1)).isTrue(); // real time: one of the two burst tokens
        VirtualTimeScheduler virtual = VirtualTimeScheduler.getOrSet();
        try {
            assertThat(bucket.tryAcquireNow(1)).isTrue(); // the second, on the virtual clock
            assertThat(bucket.tryAcquireNow(1)).isFalse();
            Duration wait = bucket.estimatedWaitNow(1);
            assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
            virtual.advanceTimeBy(wait.minusNanos(1));
            assertThat(bucket.tryAcquireNow(1)).isFalse();
            virtual.advanceTimeBy(Duration.ofNanos(1));
            assertThat(bucket.tryAcquireNow(1)).as("refilled by virtual time").isTrue();
            assertThat(bucket.tryAcquireNow(1)).isFalse();
        } finally {
            VirtualTimeScheduler.reset();
        }
        // Real time again: the token taken on the virtual clock stays spent, the next one is an hour away.
        assertThat(bucket.tryAcquireNow(1)).isFalse();
        assertThat(bucket.estimatedWaitNow(1)).isGreaterThan(Duration.ofMinutes(59));
    }

    @Test
    void explicitSchedulerStaysTheClockWhileAVirtualClockIsInstalled() {
        TokenBucket bucket = bucket(1, Duration.ofHours(1), 1); // on this test's own virtual scheduler
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        VirtualTimeScheduler installed = VirtualTimeScheduler.getOrSet();
        try {
            installed.advanceTimeBy(Duration.ofHours(2));
            assertThat(bucket.tryAcquireNow(1)).isFalse();
            vts.advanceTimeBy(Duration.ofHours(1));
            assertThat(bucket.tryAcquireNow(1)).isTrue();
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void operatorsAreScannableAndGoThroughAssembly() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        Scannable acquire = Scannable.from(bucket.acquire());
        assertThat(acquire.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        assertThat(acquire.steps()).containsExactly("source(TokenBucket.acquire)");
        Flux<Integer> source = Flux.just(1, 2);
        Flux<Integer> throttled = source.transform(bucket.throttle());
        Scannable throttle = Scannable.from(throttled);
        assertThat(throttle.scan(Scannable.Attr.PARENT)).isSameAs(source);
        assertThat(throttle.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        assertThat(throttle.steps()).containsExactly("source(FluxArray)", "throttle");

        // A waiter (the bucket is full: the first acquire takes the token, the second waits), then cancelled.
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        AtomicReference<Subscription> waiting = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        BaseSubscriber<Void> waiter = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                waiting.set(s);
            }

            @Override
            protected void hookOnError(Throwable t) {
                error.set(t);
            }
        };
        bucket.acquire().subscribe(waiter);
        Scannable node = Scannable.from(waiting.get());
        assertThat(node.scanUnsafe(Scannable.Attr.ACTUAL)).isSameAs(waiter);
        assertThat(node.scan(Scannable.Attr.CANCELLED)).isFalse();
        assertThat(node.scan(Scannable.Attr.TERMINATED)).isFalse();
        assertThat(node.scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);
        waiting.get().request(0);
        assertThat(error.get())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Spec. Rule 3.9 - Cannot request a non strictly positive number: 0");
        assertThat(node.scan(Scannable.Attr.CANCELLED)).isTrue();
        assertThat(bucket.waiting()).isZero();

        // The throttle's subscriber.
        AtomicReference<Subscription> throttling = new AtomicReference<>();
        AtomicReference<Throwable> throttleError = new AtomicReference<>();
        BaseSubscriber<Integer> downstream = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                throttling.set(s);
            }

            @Override
            protected void hookOnError(Throwable t) {
                throttleError.set(t);
            }
        };
        throttled.subscribe(downstream);
        Scannable inner = Scannable.from(throttling.get());
        assertThat(inner.scanUnsafe(Scannable.Attr.ACTUAL)).isSameAs(downstream);
        assertThat(inner.scan(Scannable.Attr.PARENT)).isNotNull();
        assertThat(inner.scan(Scannable.Attr.CANCELLED)).isFalse();
        assertThat(inner.scan(Scannable.Attr.TERMINATED)).isFalse();
        throttling.get().request(-1);
        assertThat(throttleError.get())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Spec. Rule 3.9 - Cannot request a non strictly positive number: -1");
        assertThat(inner.scan(Scannable.Attr.TERMINATED)).isTrue();

        List<Object> assembled = new CopyOnWriteArrayList<>();
        Hooks.onEachOperator("limit-test", p -> {
            assembled.add(p);
            return p;
        });
        try {
            Mono<Void> a = bucket.acquire();
            Flux<Integer> t = source.transform(bucket.throttle());
            assertThat(assembled).contains(a, t);
        } finally {
            Hooks.resetOnEachOperator("limit-test");
        }
    }

    // ---- throttle ----

    @Test
    void throttleKeepsOrderAndPacesElements() {
        StepVerifier.withVirtualTime(() -> Flux.just("a", "b", "c", "d")
                        .transform(TokenBucket.builder()
                                .rate(2, Duration.ofSeconds(1))
                                .burst(2)
                                .build()
                                .throttle()))
                .expectSubscription()
                .expectNext("a", "b")
                .expectNoEvent(Duration.ofMillis(499))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("c")
                .thenAwait(Duration.ofMillis(500))
                .expectNext("d")
                .verifyComplete();
    }

    @Test
    void throttleRequestsOneElementPerTokenAndNothingWithoutDemand() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 2);
        List<Long> requests = new CopyOnWriteArrayList<>();
        Flux<Integer> source = Flux.range(0, 100).doOnRequest(requests::add);
        StepVerifier.create(source.transform(bucket.throttle()), 0)
                .expectSubscription()
                .then(() -> assertThat(requests).isEmpty())
                .then(() -> assertThat(bucket.estimatedWaitNow(2)).isEqualTo(Duration.ZERO))
                .thenRequest(3)
                .expectNext(0, 1)
                .then(() -> assertThat(requests).containsExactly(1L, 1L))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(1)))
                .expectNext(2)
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(5)))
                .then(() -> assertThat(requests).containsExactly(1L, 1L, 1L))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        // Demand was met at the third element: no more tokens were taken, the bucket refilled.
        assertThat(bucket.tryAcquireNow(2)).isTrue();
    }

    @Test
    void throttleCancelWhileWaitingGivesTheReservationBack() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        TestPublisher<Integer> source = TestPublisher.create();
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        StepVerifier.create(source.flux().transform(bucket.throttle()))
                .expectSubscription()
                .then(() -> assertThat(bucket.waiting()).isEqualTo(1))
                .then(() -> source.assertMinRequested(0).assertMaxRequested(0))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        source.assertCancelled();
        assertThat(bucket.waiting()).isZero();
        vts.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(bucket.tryAcquireNow(1)).isTrue();
    }

    @Test
    void throttlePassesErrorsAndEmptyThroughAndGivesBackPendingTokens() {
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 1);
        StepVerifier.create(Flux.<Integer>empty().transform(bucket.throttle())).verifyComplete();
        StepVerifier.create(
                        Flux.<Integer>error(new IllegalStateException("boom")).transform(bucket.throttle()))
                .verifyErrorMessage("boom");
        TokenBucket empty = bucket(1, Duration.ofSeconds(1), 1);
        assertThat(empty.tryAcquireNow(1)).isTrue();
        TestPublisher<Integer> source = TestPublisher.create();
        StepVerifier.create(source.flux().transform(empty.throttle()))
                .expectSubscription()
                .then(() -> assertThat(empty.waiting()).isEqualTo(1))
                .then(() -> source.error(new IllegalStateException("late")))
                .verifyErrorMessage("late");
        assertThat(empty.waiting()).isZero();
    }

    @Test
    void throttleOfALargeSynchronousBurstDoesNotOverflowTheStack() {
        TokenBucket bucket = TokenBucket.builder()
                .rate(1, Duration.ofSeconds(1))
                .burst(200_000)
                .scheduler(vts)
                .build();
        StepVerifier.create(Flux.range(0, 200_000).transform(bucket.throttle()).count())
                .expectNext(200_000L)
                .verifyComplete();
    }

    // ---- bad arguments ----

    @Test
    void badArgumentsFailAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenBucket.builder().rate(0, Duration.ofSeconds(1)))
                .withMessage("tokens > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenBucket.builder().rate(1, Duration.ZERO))
                .withMessage("per > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenBucket.builder().rate(1, Duration.ofSeconds(-1)))
                .withMessage("per > 0 required but it was PT-1S");
        assertThatNullPointerException()
                .isThrownBy(() -> TokenBucket.builder().rate(1, null))
                .withMessage("per");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TokenBucket.builder().burst(0))
                .withMessage("burst > 0 required but it was 0");
        assertThatNullPointerException()
                .isThrownBy(() -> TokenBucket.builder().scheduler(null))
                .withMessage("scheduler");
        assertThatIllegalStateException()
                .isThrownBy(() -> TokenBucket.builder().build())
                .withMessage("rate(tokens, per) is required");
        TokenBucket bucket = bucket(1, Duration.ofSeconds(1), 3);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.acquire(0))
                .withMessage("tokens > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.acquire(4))
                .withMessage("tokens <= 3 (the burst) required but it was 4");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.tryAcquireNow(-1))
                .withMessage("tokens > 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.estimatedWaitNow(4))
                .withMessage("tokens <= 3 (the burst) required but it was 4");
        assertThatNullPointerException()
                .isThrownBy(() -> bucket.withToken(null))
                .withMessage("task");
    }

    @Test
    void builderIsReusableAndRatesThatAreNotWholeNanosecondsWork() {
        TokenBucket.Builder builder =
                TokenBucket.builder().rate(1_000_003, Duration.ofSeconds(1)).scheduler(vts);
        TokenBucket a = builder.build();
        TokenBucket b = builder.build();
        assertThat(a.tryAcquireNow(1)).isTrue();
        assertThat(a.tryAcquireNow(1)).isFalse();
        assertThat(b.tryAcquireNow(1)).isTrue();
        vts.advanceTimeBy(Duration.ofSeconds(1));
        int granted = 0;
        while (a.tryAcquireNow(1)) {
            granted++;
        }
        assertThat(granted).isEqualTo(1);
        assertThat(a.burst()).isEqualTo(1);
    }
}
