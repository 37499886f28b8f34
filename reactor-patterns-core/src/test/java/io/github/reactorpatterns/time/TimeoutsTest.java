package io.github.reactorpatterns.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;

class TimeoutsTest {

    private static final Duration VERIFY = Duration.ofSeconds(5);

    @Test
    void orElseEmitsTheFallbackAtExactlyTheTimeoutAndCancelsTheSource() {
        PublisherProbe<String> source = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> source.mono().transform(Timeouts.orElse(Duration.ofMillis(300), "none")))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(299))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("none")
                .expectComplete()
                .verify(VERIFY);
        source.assertWasCancelled();
    }

    @Test
    void orElsePassesAnEarlyValueThrough() {
        StepVerifier.withVirtualTime(() -> Mono.delay(Duration.ofMillis(299))
                        .map(tick -> "real")
                        .transform(Timeouts.orElse(Duration.ofMillis(300), "none")))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(299))
                .expectNext("real")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void orEmptyCompletesEmptyAtTheTimeout() {
        StepVerifier.withVirtualTime(() -> Mono.never().transform(Timeouts.orEmpty(Duration.ofSeconds(1))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void sourceErrorsIncludingItsOwnTimeoutsPassThroughUnchanged() {
        TimeoutException own = new TimeoutException("nested timeout");
        StepVerifier.create(Mono.<String>error(own).transform(Timeouts.orElse(Duration.ofSeconds(1), "none")))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(own))
                .verify(VERIFY);
        IOException io = new IOException("io");
        StepVerifier.create(Mono.error(io).transform(Timeouts.orEmpty(Duration.ofSeconds(1))))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(io))
                .verify(VERIFY);
    }

    @Test
    void emptySourceCompletesEmptyWithoutTheFallback() {
        StepVerifier.create(Mono.<String>empty().transform(Timeouts.orElse(Duration.ofSeconds(1), "none")))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void valueWaitsForDemand() {
        StepVerifier.create(Mono.just("a").transform(Timeouts.orElse(Duration.ofSeconds(1), "none")), 0)
                .expectSubscription()
                .thenRequest(1)
                .expectNext("a")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void cancellingCancelsTheSource() {
        PublisherProbe<String> source = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> source.mono().transform(Timeouts.orEmpty(Duration.ofSeconds(1))))
                .expectSubscription()
                .thenCancel()
                .verify(VERIFY);
        source.assertWasCancelled();
    }

    @Test
    void schedulerOverloadsUseThatSchedulersTimer() {
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        StepVerifier.create(Mono.never().transform(Timeouts.orElse(Duration.ofSeconds(1), "none", timer)))
                .expectSubscription()
                .then(() -> timer.advanceTimeBy(Duration.ofSeconds(1)))
                .expectNext("none")
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(Mono.never().transform(Timeouts.orEmpty(Duration.ofSeconds(1), timer)))
                .expectSubscription()
                .then(() -> timer.advanceTimeBy(Duration.ofSeconds(1)))
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void manyConcurrentTimeoutsEachGetTheirFallbackOrValue() {
        // Real timers on parallel threads, racing values that arrive on parallel threads. (A VirtualTimeScheduler is
        // not made for scheduling from many threads at once: it can park a scheduling thread forever.) The values
        // get a budget no loaded machine exceeds, the never-completing half a short one, so the outcome is exact.
        List<Integer> results = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Flux.range(0, 2_000)
                .flatMap(
                        i -> i % 2 == 0
                                ? Mono.just(i)
                                        .subscribeOn(Schedulers.parallel())
                                        .transform(Timeouts.orElse(Duration.ofSeconds(30), -1))
                                : Mono.<Integer>never().transform(Timeouts.orElse(Duration.ofMillis(50), -1)),
                        2_000)
                .doOnComplete(() -> done.set(true))
                .subscribe(results::add);
        await().atMost(Duration.ofSeconds(30)).untilTrue(done);
        assertThat(results).hasSize(2_000);
        assertThat(results.stream().filter(i -> i == -1)).hasSize(1_000);
        assertThat(results.stream().filter(i -> i >= 0).distinct())
                .hasSize(1_000)
                .allMatch(i -> i % 2 == 0);
    }

    @Test
    void badArgumentsAreRejectedWithExactMessages() {
        assertThatNullPointerException()
                .isThrownBy(() -> Timeouts.orElse(null, "x"))
                .withMessage("timeout");
        assertThatNullPointerException()
                .isThrownBy(() -> Timeouts.orElse(Duration.ofSeconds(1), null))
                .withMessage("fallback");
        assertThatNullPointerException()
                .isThrownBy(() -> Timeouts.orElse(Duration.ofSeconds(1), "x", null))
                .withMessage("scheduler");
        assertThatNullPointerException()
                .isThrownBy(() -> Timeouts.orEmpty(null))
                .withMessage("timeout");
        assertThatNullPointerException()
                .isThrownBy(() -> Timeouts.orEmpty(Duration.ofSeconds(1), null))
                .withMessage("scheduler");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Timeouts.orElse(Duration.ZERO, "x"))
                .withMessage("timeout > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Timeouts.orEmpty(Duration.ofMillis(-5), Schedulers.parallel()))
                .withMessage("timeout > 0 required but it was PT-0.005S");
    }
}
