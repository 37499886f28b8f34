package io.github.reactorpatterns.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.time.Deadline;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;

class RetryPolicyTest {

    private static final Duration VERIFY = Duration.ofSeconds(10);

    /** Built outside any virtual-time block on purpose: the default scheduler is resolved at subscription. */
    private static final RetryPolicy THREE_FROM_100MS =
            RetryPolicy.backoff(3, Duration.ofMillis(100)).jitter(0).build();

    /** An error that carries a server-directed delay. */
    static final class Throttled extends RuntimeException implements RetryAfter {

        private final Duration hint;

        Throttled(Duration hint) {
            super("429, retry after " + hint);
            this.hint = hint;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.of(hint);
        }
    }

    /** A lazy source that records the virtual time of every subscription and fails with a numbered error. */
    private static final class Recorder {

        final List<Long> subscribedAtMillis = new CopyOnWriteArrayList<>();
        final List<RetryAttempt> reports = new CopyOnWriteArrayList<>();

        Mono<String> failing() {
            return Mono.defer(() -> {
                subscribedAtMillis.add(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
                return Mono.error(new IOException("boom " + subscribedAtMillis.size()));
            });
        }

        List<Long> delaysMillis() {
            return reports.stream()
                    .filter(RetryAttempt::willRetry)
                    .map(r -> r.delay().toMillis())
                    .collect(Collectors.toList());
        }
    }

    // ---- delays --------------------------------------------------------------------------------------------------

    @Test
    void threeRetriesFrom100msDoubleWithoutJitter() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing().retryWhen(THREE_FROM_100MS))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(699))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> {
                    assertThat(error)
                            .isExactlyInstanceOf(RetryExhaustedException.class)
                            .hasMessage("Retries exhausted: 4 attempts in 700ms; "
                                    + "last error: java.io.IOException: boom 4")
                            .hasCauseInstanceOf(IOException.class);
                    RetryExhaustedException exhausted = (RetryExhaustedException) error;
                    assertThat(exhausted.attempts()).isEqualTo(4);
                    assertThat(exhausted.elapsed()).isEqualTo(Duration.ofMillis(700));
                    assertThat(exhausted.getCause()).hasMessage("boom 4");
                    assertThat(exhausted.getSuppressed())
                            .extracting(Throwable::getMessage)
                            .containsExactly("boom 1", "boom 2", "boom 3");
                })
                .verify(VERIFY);
        assertThat(recorder.subscribedAtMillis).containsExactly(0L, 100L, 300L, 700L);
    }

    @Test
    void fractionalMultiplierGives100Then150Then225() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                .multiplier(1.5)
                                .jitter(0)
                                .onRetry(recorder.reports::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(475))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        assertThat(recorder.delaysMillis()).containsExactly(100L, 150L, 225L);
        assertThat(recorder.subscribedAtMillis).containsExactly(0L, 100L, 250L, 475L);
    }

    @Test
    void maxBackoffCapsTheGrowth() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.backoff(4, Duration.ofMillis(100))
                                .maxBackoff(Duration.ofMillis(250))
                                .jitter(0)
                                .onRetry(recorder.reports::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        assertThat(recorder.delaysMillis()).containsExactly(100L, 200L, 250L, 250L);
    }

    @Test
    void fixedWaitsTheSameDelayEachTime() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.fixed(3, Duration.ofSeconds(1)).build()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        assertThat(recorder.subscribedAtMillis).containsExactly(0L, 1000L, 2000L, 3000L);
    }

    @Test
    void jitteredDelaysStayInTheirBandAndAreWaitedExactly() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.backoff(200, Duration.ofMillis(100))
                                .multiplier(1)
                                .jitter(0.5)
                                .onRetry(recorder.reports::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(200 * 150 / 1000 + 1))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        List<Duration> delays = recorder.reports.stream()
                .filter(RetryAttempt::willRetry)
                .map(RetryAttempt::delay)
                .collect(Collectors.toList());
        assertThat(delays)
                .hasSize(200)
                .allSatisfy(delay -> assertThat(delay).isBetween(Duration.ofMillis(100), Duration.ofMillis(150)));
        assertThat(delays.stream().distinct().count())
                .as("jitter varies the delays")
                .isGreaterThan(100);
        long total = delays.stream().mapToLong(Duration::toNanos).sum();
        long lastSubscription = recorder.subscribedAtMillis.get(recorder.subscribedAtMillis.size() - 1);
        assertThat(lastSubscription).isEqualTo(TimeUnit.NANOSECONDS.toMillis(total));
    }

    @Test
    void zeroDelayResubscribesAtOnceWithoutGrowingTheStack() {
        IOException same = new IOException("same");
        AtomicLong subscriptions = new AtomicLong();
        Mono<Object> failing = Mono.defer(() -> {
            subscriptions.incrementAndGet();
            return Mono.error(same);
        });
        StepVerifier.create(failing.retryWhen(
                        RetryPolicy.fixed(100_000, Duration.ZERO).build()))
                .expectErrorSatisfies(error -> {
                    assertThat(error)
                            .isInstanceOf(RetryExhaustedException.class)
                            .hasCause(same);
                    assertThat(error.getSuppressed())
                            .as("the same instance is not suppressed by itself")
                            .isEmpty();
                })
                .verify(VERIFY);
        assertThat(subscriptions).hasValue(100_001);
    }

    // ---- Retry-After ---------------------------------------------------------------------------------------------

    @Test
    void retryAfterHintLongerThanTheBackoffIsWaited() {
        AtomicInteger calls = new AtomicInteger();
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        Throttled throttled = new Throttled(Duration.ofSeconds(2));
        StepVerifier.withVirtualTime(
                        () -> Mono.defer(() -> calls.incrementAndGet() == 1 ? Mono.error(throttled) : Mono.just("ok"))
                                .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                        .jitter(0)
                                        .onRetry(reports::add)
                                        .build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ok")
                .expectComplete()
                .verify(VERIFY);
        assertThat(reports)
                .containsExactly(
                        new RetryAttempt(1, Duration.ofSeconds(2), throttled, RetryAttempt.Reason.RETRY_AFTER));
    }

    @Test
    void retryAfterHintPausesTheSharedTokenBucketForEveryone() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            TokenBucket shared = TokenBucket.builder()
                    .rate(10, Duration.ofSeconds(1))
                    .burst(10)
                    .scheduler(vts)
                    .build();
            AtomicInteger calls = new AtomicInteger();
            Throttled throttled = new Throttled(Duration.ofSeconds(2));
            RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(100))
                    .jitter(0)
                    .pauseOnRetryAfter(shared)
                    .build();
            StepVerifier.withVirtualTime(
                            () -> Mono.defer(() ->
                                            calls.incrementAndGet() == 1 ? Mono.error(throttled) : Mono.just("ok"))
                                    .retryWhen(policy),
                            () -> vts,
                            Long.MAX_VALUE)
                    .expectSubscription()
                    .then(() -> assertThat(shared.tryAcquireNow(1))
                            .as("another caller during the pause")
                            .isFalse())
                    .thenAwait(Duration.ofMillis(1999))
                    .then(() -> assertThat(shared.tryAcquireNow(1)).isFalse())
                    .thenAwait(Duration.ofMillis(1))
                    .expectNext("ok")
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(shared.tryAcquireNow(1)).as("the pause is over").isTrue();
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void refusedRetryAfterPausesNobody() {
        // Regression: a hint longer than maxRetryAfter ended the retries but first paused the shared bucket for
        // min(hint, maxRetryAfter), so one "Retry-After: 86400" stopped every unrelated caller for 60 s.
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            TokenBucket shared = TokenBucket.builder()
                    .rate(10, Duration.ofSeconds(1))
                    .burst(10)
                    .scheduler(vts)
                    .build();
            Throttled dayLong = new Throttled(Duration.ofSeconds(86400));
            List<RetryAttempt> gaveUp = new CopyOnWriteArrayList<>();
            RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(100))
                    .jitter(0)
                    .maxRetryAfter(Duration.ofSeconds(60))
                    .pauseOnRetryAfter(shared)
                    .onGiveUp(gaveUp::add)
                    .build();
            StepVerifier.withVirtualTime(() -> Mono.error(dayLong).retryWhen(policy), () -> vts, Long.MAX_VALUE)
                    .expectSubscription()
                    .expectErrorSatisfies(error -> assertThat(error).isSameAs(dayLong))
                    .verify(VERIFY);
            assertThat(shared.tryAcquireNow(1))
                    .as("another caller right after the refused hint")
                    .isTrue();
            assertThat(shared.estimatedWaitNow(1)).isEqualTo(Duration.ZERO);
            assertThat(gaveUp)
                    .extracting(RetryAttempt::reason)
                    .containsExactly(RetryAttempt.Reason.RETRY_AFTER_TOO_LONG);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void acceptedRetryAfterPausesTheSharedBucketExactlyTheHint() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            TokenBucket shared = TokenBucket.builder()
                    .rate(10, Duration.ofSeconds(1))
                    .burst(10)
                    .scheduler(vts)
                    .build();
            AtomicInteger calls = new AtomicInteger();
            List<Long> attemptsAtMillis = new CopyOnWriteArrayList<>();
            RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(100))
                    .jitter(0)
                    .maxRetryAfter(Duration.ofSeconds(60))
                    .pauseOnRetryAfter(shared)
                    .build();
            StepVerifier.withVirtualTime(
                            () -> Mono.defer(() -> {
                                        attemptsAtMillis.add(vts.now(TimeUnit.MILLISECONDS));
                                        return calls.incrementAndGet() == 1
                                                ? Mono.error(new Throttled(Duration.ofSeconds(2)))
                                                : Mono.just("ok");
                                    })
                                    .retryWhen(policy),
                            () -> vts,
                            Long.MAX_VALUE)
                    .expectSubscription()
                    .then(() -> assertThat(shared.estimatedWaitNow(1)).isEqualTo(Duration.ofSeconds(2)))
                    .thenAwait(Duration.ofMillis(1999))
                    .then(() -> assertThat(shared.tryAcquireNow(1))
                            .as("1 ms before the end of the pause")
                            .isFalse())
                    .thenAwait(Duration.ofMillis(1))
                    .then(() -> assertThat(shared.tryAcquireNow(1))
                            .as("at the end of the pause")
                            .isTrue())
                    .expectNext("ok")
                    .expectComplete()
                    .verify(VERIFY);
            assertThat(attemptsAtMillis).containsExactly(0L, 2000L);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void acceptedRetryAfterPausesTheBucketEvenWhenTheRetriesHaveRunOut() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        try {
            TokenBucket shared = TokenBucket.builder()
                    .rate(10, Duration.ofSeconds(1))
                    .burst(10)
                    .scheduler(vts)
                    .build();
            Throttled throttled = new Throttled(Duration.ofSeconds(3));
            RetryPolicy policy = RetryPolicy.backoff(0, Duration.ofMillis(100))
                    .pauseOnRetryAfter(shared)
                    .build();
            StepVerifier.withVirtualTime(() -> Mono.error(throttled).retryWhen(policy), () -> vts, Long.MAX_VALUE)
                    .expectSubscription()
                    .expectErrorSatisfies(error -> assertThat(error).isSameAs(throttled))
                    .verify(VERIFY);
            assertThat(shared.estimatedWaitNow(1)).isEqualTo(Duration.ofSeconds(3));
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void aPauseThatFailsDoesNotChangeTheDecision() {
        io.github.reactorpatterns.limit.RateLimiter down = new io.github.reactorpatterns.limit.RateLimiter() {
            @Override
            public Mono<Void> acquire(int tokens) {
                return Mono.empty();
            }

            @Override
            public Mono<Boolean> tryAcquire(int tokens) {
                return Mono.just(true);
            }

            @Override
            public Mono<Void> pause(Duration pause) {
                return Mono.error(new IOException("limiter server down"));
            }

            @Override
            public Mono<Duration> estimatedWait(int tokens) {
                return Mono.just(Duration.ZERO);
            }
        };
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> Mono.defer(() -> calls.incrementAndGet() == 1
                                ? Mono.error(new Throttled(Duration.ofSeconds(1)))
                                : Mono.just("ok"))
                        .retryWhen(RetryPolicy.backoff(1, Duration.ofMillis(100))
                                .pauseOnRetryAfter(down)
                                .build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ok")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void retryAfterHintFunctionReadsErrorsThatAreNotRetryAfter() {
        // a framework's exception that cannot implement RetryAfter, read by a function that knows its type
        final class FrameworkException extends RuntimeException {
            final long seconds;

            FrameworkException(long seconds) {
                super("503");
                this.seconds = seconds;
            }
        }
        AtomicInteger calls = new AtomicInteger();
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        Throttled throttled = new Throttled(Duration.ofSeconds(3));
        StepVerifier.withVirtualTime(() -> Mono.defer(() -> switch (calls.incrementAndGet()) {
                            case 1 -> Mono.error(new FrameworkException(2));
                            case 2 -> Mono.error(throttled);
                            default -> Mono.just("ok");
                        })
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                .jitter(0)
                                .retryAfterHint(error -> error instanceof FrameworkException f
                                        ? Optional.of(Duration.ofSeconds(f.seconds))
                                        : RetryAfter.of(error))
                                .onRetry(reports::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .expectNoEvent(Duration.ofMillis(2999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ok")
                .expectComplete()
                .verify(VERIFY);
        assertThat(reports)
                .extracting(RetryAttempt::delay, RetryAttempt::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(2), RetryAttempt.Reason.RETRY_AFTER),
                        org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(3), RetryAttempt.Reason.RETRY_AFTER));
    }

    @Test
    void retryAfterHintFunctionReplacesTheDefault() {
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> Mono.defer(() -> calls.incrementAndGet() == 1
                                ? Mono.error(new Throttled(Duration.ofSeconds(5)))
                                : Mono.just("ok"))
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                .jitter(0)
                                .retryAfterHint(error -> Optional.empty())
                                .onRetry(reports::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(100))
                .expectNext("ok")
                .expectComplete()
                .verify(VERIFY);
        assertThat(reports).extracting(RetryAttempt::reason).containsExactly(RetryAttempt.Reason.BACKOFF);
    }

    @Test
    void retryAfterOfReadsOnlyRetryAfterErrors() {
        assertThat(RetryAfter.of(new Throttled(Duration.ofSeconds(1)))).contains(Duration.ofSeconds(1));
        assertThat(RetryAfter.of(new IOException("no hint"))).isEmpty();
        assertThat(RetryAfter.of(new HintedNull())).isEmpty();
        assertThatNullPointerException().isThrownBy(() -> RetryAfter.of(null)).withMessage("error");
    }

    /** A RetryAfter whose implementation breaks the contract by returning null. */
    static final class HintedNull extends RuntimeException implements RetryAfter {
        @Override
        public Optional<Duration> retryAfter() {
            return null;
        }
    }

    // ---- retryOn through the cause chain ------------------------------------------------------------------------

    @Test
    void retryOnMatchesAWrappedCause() {
        // a framework wraps the I/O error (as Spring's WebClientRequestException does): retryOn(IOException) matches
        RuntimeException wrapped = new RuntimeException("request failed", new IOException("connection reset"));
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(wrapped));
        StepVerifier.create(source.mono()
                        .retryWhen(RetryPolicy.fixed(2, Duration.ZERO)
                                .retryOn(IOException.class)
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isExactlyInstanceOf(RetryExhaustedException.class)
                        .hasCause(wrapped))
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(3);
    }

    @Test
    void retryOnCauseWalkIsBoundedAndSurvivesACycle() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        PublisherProbe<Object> cyclic = PublisherProbe.of(Mono.error(a));
        StepVerifier.create(cyclic.mono()
                        .retryWhen(RetryPolicy.fixed(2, Duration.ZERO)
                                .retryOn(IOException.class)
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(a))
                .verify(VERIFY);
        assertThat(cyclic.subscribeCount()).isEqualTo(1);

        Throwable atTheLimit = new IOException("deep");
        for (int i = 0; i < RetryPolicy.MAX_CAUSE_DEPTH; i++) {
            atTheLimit = new RuntimeException("level " + i, atTheLimit);
        }
        Throwable tooDeep = new RuntimeException("one more", atTheLimit);
        Throwable found = atTheLimit;
        StepVerifier.create(Mono.error(found)
                        .retryWhen(RetryPolicy.fixed(1, Duration.ZERO)
                                .retryOn(IOException.class)
                                .build()))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        StepVerifier.create(Mono.error(tooDeep)
                        .retryWhen(RetryPolicy.fixed(1, Duration.ZERO)
                                .retryOn(IOException.class)
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(tooDeep))
                .verify(VERIFY);
    }

    @Test
    void retryOnDoesNotRetryWhatAnInnerPolicyGaveUpOn() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(new IOException("down")));
        RetryPolicy inner =
                RetryPolicy.fixed(1, Duration.ZERO).retryOn(IOException.class).build();
        RetryPolicy outer =
                RetryPolicy.fixed(3, Duration.ZERO).retryOn(IOException.class).build();
        StepVerifier.create(source.mono().retryWhen(inner).retryWhen(outer))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isExactlyInstanceOf(RetryExhaustedException.class)
                        .hasCauseInstanceOf(IOException.class))
                .verify(VERIFY);
        assertThat(source.subscribeCount())
                .as("the inner policy's two attempts, never multiplied")
                .isEqualTo(2);
    }

    @Test
    void pauseOnRetryAfterRejectsNull() {
        assertThatNullPointerException()
                .isThrownBy(() -> RetryPolicy.backoff(1, Duration.ofMillis(1)).pauseOnRetryAfter(null))
                .withMessage("limiter");
    }

    @Test
    void backoffLongerThanTheHintWins() {
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> Mono.defer(() -> calls.incrementAndGet() == 1
                                ? Mono.error(new Throttled(Duration.ofMillis(10)))
                                : Mono.just("ok"))
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                .jitter(0)
                                .onRetry(reports::add)
                                .build()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ok")
                .expectComplete()
                .verify(VERIFY);
        assertThat(reports).singleElement().satisfies(report -> {
            assertThat(report.delay()).isEqualTo(Duration.ofMillis(100));
            assertThat(report.reason()).isEqualTo(RetryAttempt.Reason.BACKOFF);
        });
    }

    @Test
    void hintBeyondTheCapEndsAtOnceWithTheOriginalError() {
        Throttled throttled = new Throttled(Duration.ofSeconds(10));
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(throttled));
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        // No virtual time is advanced: had the policy decided to sleep, verify would time out.
        StepVerifier.withVirtualTime(() -> source.mono()
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                .maxRetryAfter(Duration.ofSeconds(5))
                                .onRetry(attempt -> {
                                    throw new AssertionError("no retry expected: " + attempt);
                                })
                                .onGiveUp(reports::add)
                                .build()))
                .expectSubscription()
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(throttled))
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(1);
        assertThat(reports)
                .containsExactly(new RetryAttempt(
                        1, Duration.ofSeconds(10), throttled, RetryAttempt.Reason.RETRY_AFTER_TOO_LONG));
    }

    @Test
    void hintBeyondMaxElapsedEndsAtOnce() {
        Throttled throttled = new Throttled(Duration.ofSeconds(30));
        StepVerifier.withVirtualTime(() -> Mono.error(throttled)
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(1))
                                .maxElapsed(Duration.ofSeconds(10))
                                .build()))
                .expectSubscription()
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(throttled))
                .verify(VERIFY);
    }

    @Test
    void hintBeyondTheContextDeadlineEndsAtOnce() {
        Throttled throttled = new Throttled(Duration.ofSeconds(30));
        StepVerifier.withVirtualTime(() -> Mono.error(throttled)
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(1)).build())
                        .transform(Deadline.within(Duration.ofSeconds(10))))
                .expectSubscription()
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(throttled))
                .verify(VERIFY);
    }

    // ---- early stops ---------------------------------------------------------------------------------------------

    @Test
    void maxElapsedStopsBeforeARetryThatWouldStartTooLate() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.backoff(10, Duration.ofMillis(100))
                                .jitter(0)
                                .maxElapsed(Duration.ofSeconds(1))
                                .onRetry(recorder.reports::add)
                                .onGiveUp(recorder.reports::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(700))
                .expectErrorSatisfies(error ->
                        assertThat(error).isExactlyInstanceOf(IOException.class).hasMessage("boom 4"))
                .verify(VERIFY);
        assertThat(recorder.subscribedAtMillis).containsExactly(0L, 100L, 300L, 700L);
        assertThat(recorder.reports.get(3).reason()).isEqualTo(RetryAttempt.Reason.MAX_ELAPSED);
        assertThat(recorder.reports.get(3).delay()).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void contextDeadlineStopsBeforeARetryThatWouldEndAfterIt() {
        Recorder recorder = new Recorder();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.backoff(10, Duration.ofMillis(100))
                                .jitter(0)
                                .onRetry(recorder.reports::add)
                                .onGiveUp(recorder.reports::add)
                                .build())
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(700))
                .expectErrorSatisfies(error ->
                        assertThat(error).isExactlyInstanceOf(IOException.class).hasMessage("boom 4"))
                .verify(VERIFY);
        assertThat(recorder.subscribedAtMillis).containsExactly(0L, 100L, 300L, 700L);
        assertThat(recorder.reports).last().satisfies(report -> {
            assertThat(report.reason()).isEqualTo(RetryAttempt.Reason.DEADLINE);
            assertThat(report.willRetry()).isFalse();
        });
    }

    @Test
    void retriesThatFitTheDeadlineStillHappen() {
        AtomicInteger calls = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> Mono.defer(() -> calls.incrementAndGet() < 3
                                ? Mono.error(new IOException("transient"))
                                : Mono.just("ok"))
                        .retryWhen(THREE_FROM_100MS)
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(300))
                .expectNext("ok")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void nonRetryableErrorsPassThroughUnchangedAndUnreported() {
        IllegalArgumentException bug = new IllegalArgumentException("bug");
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(bug));
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        StepVerifier.create(source.mono()
                        .retryWhen(RetryPolicy.backoff(3, Duration.ZERO)
                                .retryOn(IOException.class)
                                .onRetry(reports::add)
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(bug))
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(1);
        assertThat(reports).isEmpty();

        IOException rejected = new IOException("rejected by the predicate");
        StepVerifier.create(Mono.error(rejected)
                        .retryWhen(RetryPolicy.backoff(3, Duration.ZERO)
                                .retryOn(IOException.class)
                                .retryIf(error -> !error.getMessage().startsWith("rejected"))
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(rejected))
                .verify(VERIFY);
    }

    @Test
    void subtypesOfARetryOnTypeAreRetried() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(new java.io.FileNotFoundException("gone")));
        StepVerifier.create(source.mono()
                        .retryWhen(RetryPolicy.fixed(2, Duration.ZERO)
                                .retryOn(UncheckedIOException.class, IOException.class)
                                .build()))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(3);
    }

    @Test
    void noRetriesMeansTheErrorIsUnchanged() {
        IOException io = new IOException("io");
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(io));
        StepVerifier.create(source.mono().retryWhen(RetryPolicy.none()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
        StepVerifier.create(source.mono()
                        .retryWhen(RetryPolicy.backoff(0, Duration.ofSeconds(1)).build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(2);
    }

    @Test
    void onRetryReportsOnlyRetriesAndOnGiveUpTheStop() {
        // Regression: onRetry was also called for the decision to stop, so a policy of 3 retries called it 4 times
        // (the 4th with RETRIES_EXHAUSTED). Now a retry goes to onRetry and the stop to onGiveUp.
        Recorder recorder = new Recorder();
        List<RetryAttempt> gaveUp = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> recorder.failing()
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
                                .jitter(0)
                                .onRetry(recorder.reports::add)
                                .onGiveUp(gaveUp::add)
                                .build()))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(700))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        assertThat(recorder.reports)
                .extracting(
                        RetryAttempt::attempt,
                        r -> r.delay().toMillis(),
                        r -> r.error().getMessage(),
                        RetryAttempt::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, 100L, "boom 1", RetryAttempt.Reason.BACKOFF),
                        org.assertj.core.groups.Tuple.tuple(2L, 200L, "boom 2", RetryAttempt.Reason.BACKOFF),
                        org.assertj.core.groups.Tuple.tuple(3L, 400L, "boom 3", RetryAttempt.Reason.BACKOFF));
        assertThat(gaveUp)
                .extracting(
                        RetryAttempt::attempt,
                        r -> r.delay().toMillis(),
                        r -> r.error().getMessage(),
                        RetryAttempt::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(4L, 0L, "boom 4", RetryAttempt.Reason.RETRIES_EXHAUSTED));
    }

    @Test
    void onGiveUpIsCalledOnceForEveryKindOfStop() {
        IOException io = new IOException("io");
        List<RetryAttempt> retried = new CopyOnWriteArrayList<>();
        List<RetryAttempt> gaveUp = new CopyOnWriteArrayList<>();
        // no retries at all: the error is unchanged and still reported as RETRIES_EXHAUSTED
        StepVerifier.create(Mono.error(io)
                        .retryWhen(RetryPolicy.backoff(0, Duration.ofMillis(1))
                                .onRetry(retried::add)
                                .onGiveUp(gaveUp::add)
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
        // an empty budget stops the first retry
        RetryBudget empty = RetryBudget.of(Duration.ofSeconds(10), 0, 0.0);
        StepVerifier.create(Mono.error(io)
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(1))
                                .budget(empty)
                                .onRetry(retried::add)
                                .onGiveUp(gaveUp::add)
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
        // an error that retryOn rejects is not reported at all
        StepVerifier.create(Mono.error(new IllegalStateException("bug"))
                        .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(1))
                                .retryOn(IOException.class)
                                .onRetry(retried::add)
                                .onGiveUp(gaveUp::add)
                                .build()))
                .expectError(IllegalStateException.class)
                .verify(VERIFY);
        assertThat(retried).isEmpty();
        assertThat(gaveUp)
                .extracting(RetryAttempt::reason)
                .containsExactly(RetryAttempt.Reason.RETRIES_EXHAUSTED, RetryAttempt.Reason.BUDGET_EMPTY);
    }

    @Test
    void anExceptionFromOnGiveUpFailsTheSequence() {
        IllegalStateException callbackBug = new IllegalStateException("callback bug");
        StepVerifier.create(Mono.error(new IOException("io"))
                        .retryWhen(RetryPolicy.fixed(1, Duration.ZERO)
                                .onGiveUp(attempt -> {
                                    throw callbackBug;
                                })
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(callbackBug))
                .verify(VERIFY);
    }

    @Test
    void anExceptionFromOnRetryFailsTheSequence() {
        IllegalStateException callbackBug = new IllegalStateException("callback bug");
        StepVerifier.create(Mono.error(new IOException("io"))
                        .retryWhen(RetryPolicy.fixed(3, Duration.ZERO)
                                .onRetry(attempt -> {
                                    throw callbackBug;
                                })
                                .build()))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(callbackBug))
                .verify(VERIFY);
    }

    // ---- budget --------------------------------------------------------------------------------------------------

    @Test
    void budgetCapsRetriesAcrossConcurrentPipelines() {
        // 100 calls that all fail, 20 % budget and no reserve: the 100 first attempts deposit for exactly 20
        // retries, whatever maxRetries says. Every 5th call finds enough for one retry at t=0; the 20 retries fail
        // at t=100 ms and find the budget empty.
        AtomicInteger subscriptions = new AtomicInteger();
        List<RetryAttempt> reports = new CopyOnWriteArrayList<>();
        IOException down = new IOException("service down");
        StepVerifier.withVirtualTime(() -> {
                    RetryBudget budget = RetryBudget.of(Duration.ofSeconds(10), 0, 0.2);
                    RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(100))
                            .jitter(0)
                            .budget(budget)
                            .onRetry(reports::add)
                            .onGiveUp(reports::add)
                            .build();
                    Mono<Object> call = Mono.defer(() -> {
                        subscriptions.incrementAndGet();
                        return Mono.error(down);
                    });
                    return Flux.range(0, 100)
                            .flatMap(i -> call.retryWhen(policy).onErrorResume(error -> Mono.just(error)), 100);
                })
                .expectSubscription()
                .expectNextCount(80)
                .thenAwait(Duration.ofMillis(100))
                .expectNextCount(20)
                .expectComplete()
                .verify(VERIFY);
        assertThat(subscriptions).hasValue(120);
        assertThat(reports.stream().filter(RetryAttempt::willRetry)).hasSize(20);
        assertThat(reports.stream().filter(r -> r.reason() == RetryAttempt.Reason.BUDGET_EMPTY))
                .hasSize(100);
    }

    @Test
    void budgetHoldsUnderRealConcurrency() {
        RetryBudget budget = RetryBudget.of(Duration.ofSeconds(60), 0, 0.2);
        RetryPolicy policy = RetryPolicy.fixed(3, Duration.ZERO).budget(budget).build();
        AtomicInteger subscriptions = new AtomicInteger();
        Mono<Object> call = Mono.defer(() -> {
            subscriptions.incrementAndGet();
            return Mono.error(new IOException("down"));
        });
        Mono<Long> all = Flux.range(0, 10_000)
                .flatMap(
                        i -> call.subscribeOn(Schedulers.parallel())
                                .retryWhen(policy)
                                .onErrorResume(error -> Mono.empty()),
                        64)
                .count();
        StepVerifier.create(all).expectNext(0L).expectComplete().verify(Duration.ofSeconds(30));
        int retries = subscriptions.get() - 10_000;
        assertThat(retries).isPositive().isLessThanOrEqualTo(2_000);
    }

    // ---- subscription, demand, cancellation ----------------------------------------------------------------------

    @Test
    void aRetriedMonoIsResubscribedNotReplayed() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(new IOException("io")));
        StepVerifier.create(source.mono()
                        .retryWhen(RetryPolicy.fixed(3, Duration.ZERO).build()))
                .expectError(RetryExhaustedException.class)
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(4);
    }

    @Test
    void isLazyAndEachSubscriptionCountsOnItsOwn() {
        Recorder recorder = new Recorder();
        Mono<String> retried =
                recorder.failing().retryWhen(RetryPolicy.fixed(2, Duration.ZERO).build());
        assertThat(recorder.subscribedAtMillis).isEmpty();
        for (int i = 0; i < 2; i++) {
            StepVerifier.create(retried)
                    .expectErrorSatisfies(error -> assertThat(((RetryExhaustedException) error).attempts())
                            .isEqualTo(3))
                    .verify(VERIFY);
        }
        assertThat(recorder.subscribedAtMillis).hasSize(6);
    }

    @Test
    void emptySourceCompletesWithoutRetry() {
        PublisherProbe<Object> source = PublisherProbe.empty();
        StepVerifier.create(source.mono().retryWhen(THREE_FROM_100MS))
                .expectComplete()
                .verify(VERIFY);
        assertThat(source.subscribeCount()).isEqualTo(1);
    }

    @Test
    void fluxRetriesHonourDemand() {
        IOException io = new IOException("io");
        StepVerifier.create(
                        Flux.concat(Flux.just(1, 2), Flux.error(io))
                                .retryWhen(RetryPolicy.fixed(1, Duration.ZERO).build()),
                        0)
                .expectSubscription()
                .thenRequest(3)
                .expectNext(1, 2, 1)
                .expectNoEvent(Duration.ofMillis(10))
                .thenRequest(1)
                .expectNext(2)
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(RetryExhaustedException.class)
                        .hasCause(io))
                .verify(VERIFY);
    }

    @Test
    void cancellingDuringTheWaitStopsFurtherAttempts() {
        PublisherProbe<Object> source = PublisherProbe.of(Mono.error(new IOException("io")));
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        Mono<Object> retried = source.mono()
                .retryWhen(RetryPolicy.fixed(3, Duration.ofSeconds(1))
                        .scheduler(timer)
                        .build());

        Disposable cancelled = retried.subscribe(value -> {}, error -> {});
        assertThat(source.subscribeCount()).isEqualTo(1);
        cancelled.dispose();
        timer.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(source.subscribeCount()).as("no attempt after cancel").isEqualTo(1);

        retried.subscribe(value -> {}, error -> {});
        timer.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(source.subscribeCount())
                .as("control: without cancel, all retries run")
                .isEqualTo(5);
    }

    @Test
    void cancellingDuringAnAttemptCancelsIt() {
        AtomicInteger calls = new AtomicInteger();
        PublisherProbe<Object> hanging = PublisherProbe.of(Mono.never());
        StepVerifier.create(Mono.defer(
                                () -> calls.incrementAndGet() == 1 ? Mono.error(new IOException("io")) : hanging.mono())
                        .retryWhen(RetryPolicy.fixed(3, Duration.ZERO).build()))
                .expectSubscription()
                .then(hanging::assertWasSubscribed)
                .thenCancel()
                .verify(VERIFY);
        hanging.assertWasCancelled();
    }

    // ---- builder -------------------------------------------------------------------------------------------------

    @Test
    void builderIsReusableAndBuildCopies() {
        RetryPolicy.Builder builder = RetryPolicy.fixed(3, Duration.ofMillis(100));
        RetryPolicy fixed = builder.build();
        RetryPolicy growing = builder.multiplier(3).build();
        assertThat(fixed.backoffNanos(2, 0.5)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(growing.backoffNanos(2, 0.5))
                .isEqualTo(Duration.ofMillis(900).toNanos());
        assertThat(fixed)
                .hasToString(
                        "RetryPolicy[maxRetries=3, firstBackoff=100ms, maxBackoff=none, "
                                + "multiplier=1.0, jitter=0.0, retryOn=[], maxElapsed=none, maxRetryAfter=60000ms, budget=none]");
    }

    @Test
    void badArgumentsFailWithExactMessages() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryPolicy.backoff(-1, Duration.ofMillis(100)))
                .withMessage("maxRetries >= 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryPolicy.fixed(-2, Duration.ofMillis(100)))
                .withMessage("maxRetries >= 0 required but it was -2");
        assertThatNullPointerException()
                .isThrownBy(() -> RetryPolicy.backoff(1, null))
                .withMessage("firstBackoff");
        assertThatNullPointerException()
                .isThrownBy(() -> RetryPolicy.fixed(1, null))
                .withMessage("delay");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryPolicy.backoff(1, Duration.ofMillis(-1)))
                .withMessage("firstBackoff >= 0 required but it was PT-0.001S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryPolicy.fixed(1, Duration.ofSeconds(-1)))
                .withMessage("delay >= 0 required but it was PT-1S");

        RetryPolicy.Builder builder = RetryPolicy.backoff(3, Duration.ofMillis(100));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.jitter(1.5))
                .withMessage("jitter in [0, 1] required but it was 1.5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.jitter(-0.1))
                .withMessage("jitter in [0, 1] required but it was -0.1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.jitter(Double.NaN))
                .withMessage("jitter in [0, 1] required but it was NaN");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.multiplier(0.5))
                .withMessage("multiplier >= 1 and finite required but it was 0.5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.multiplier(Double.POSITIVE_INFINITY))
                .withMessage("multiplier >= 1 and finite required but it was Infinity");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.maxBackoff(null))
                .withMessage("maxBackoff");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.maxBackoff(Duration.ofMillis(-1)))
                .withMessage("maxBackoff >= 0 required but it was PT-0.001S");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.maxElapsed(null))
                .withMessage("maxElapsed");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.maxElapsed(Duration.ZERO))
                .withMessage("maxElapsed > 0 required but it was PT0S");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.maxRetryAfter(null))
                .withMessage("maxRetryAfter");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.maxRetryAfter(Duration.ofSeconds(-1)))
                .withMessage("maxRetryAfter >= 0 required but it was PT-1S");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.retryOn((Class<? extends Throwable>[]) null))
                .withMessage("errorTypes");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.retryOn(IOException.class, null))
                .withMessage("errorTypes[1]");
        assertThatIllegalArgumentException().isThrownBy(builder::retryOn).withMessage("errorTypes must not be empty");
        assertThatNullPointerException().isThrownBy(() -> builder.retryIf(null)).withMessage("predicate");
        assertThatNullPointerException().isThrownBy(() -> builder.budget(null)).withMessage("budget");
        assertThatNullPointerException().isThrownBy(() -> builder.onRetry(null)).withMessage("onRetry");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.onGiveUp(null))
                .withMessage("onGiveUp");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.retryAfterHint(null))
                .withMessage("retryAfterHint");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.scheduler(null))
                .withMessage("scheduler");

        assertThatIllegalStateException()
                .isThrownBy(() -> RetryPolicy.backoff(3, Duration.ofMillis(100))
                        .maxBackoff(Duration.ofMillis(50))
                        .build())
                .withMessage("maxBackoff must be >= firstBackoff but it was PT0.05S < PT0.1S");
    }
}
