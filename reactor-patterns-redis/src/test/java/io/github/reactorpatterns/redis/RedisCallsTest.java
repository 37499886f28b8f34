package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.publisher.PublisherProbe;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The shared timeout line and the delivery lanes, on virtual time (no Redis needed to time a call out). */
class RedisCallsTest {

    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final RedisCalls calls = new RedisCalls(time, Duration.ofSeconds(1));
    final List<String> outcomes = new CopyOnWriteArrayList<>();

    @AfterEach
    void dispose() {
        time.dispose();
    }

    Disposable start(String name, Mono<String> command) {
        return calls.run(
                command,
                (v, e) -> outcomes.add(name + ": "
                        + (e == null ? "value " + v : e.getClass().getSimpleName() + " " + e.getMessage())));
    }

    @Test
    void aCallThatIsNeverAnsweredTimesOutAtItsDeadlineAndIsCancelled() {
        PublisherProbe<String> command = PublisherProbe.of(Mono.never());
        start("a", command.mono());
        command.assertWasSubscribed();

        time.advanceTimeBy(Duration.ofMillis(999));
        assertThat(outcomes).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(outcomes).containsExactly("a: TimeoutException Redis did not answer within 1000ms");
        command.assertWasCancelled();
    }

    @Test
    void callsTimeOutInTheOrderTheyStartedEachAtItsOwnDeadline() {
        start("a", Mono.never());
        time.advanceTimeBy(Duration.ofMillis(400));
        start("b", Mono.never());
        time.advanceTimeBy(Duration.ofMillis(300));
        start("c", Mono.never());

        time.advanceTimeBy(Duration.ofMillis(300)); // t = 1000
        assertThat(outcomes).containsExactly("a: TimeoutException Redis did not answer within 1000ms");
        time.advanceTimeBy(Duration.ofMillis(399)); // t = 1399
        assertThat(outcomes).hasSize(1);
        time.advanceTimeBy(Duration.ofMillis(1)); // t = 1400
        assertThat(outcomes).hasSize(2).last().asString().startsWith("b: TimeoutException");
        time.advanceTimeBy(Duration.ofMillis(300)); // t = 1700
        assertThat(outcomes).hasSize(3).last().asString().startsWith("c: TimeoutException");
    }

    @Test
    void anAnsweredCallReportsItsValueOrErrorOnceAndIsNeverTimedOut() {
        start("a", Mono.just("x"));
        start("b", Mono.error(new IllegalStateException("refused")));
        start("c", Mono.empty());
        time.advanceTimeBy(Duration.ofSeconds(5));

        assertThat(outcomes).containsExactly("a: value x", "b: IllegalStateException refused", "c: value null");
    }

    @Test
    void aCallAnsweredAfterAnEarlierOneTimedOutIsNotTimedOutWithIt() {
        start("slow", Mono.never());
        time.advanceTimeBy(Duration.ofMillis(500));
        start("answered", Mono.delay(Duration.ofMillis(800), time).map(i -> "late but in time"));

        time.advanceTimeBy(Duration.ofMillis(500)); // t = 1000: slow times out
        time.advanceTimeBy(Duration.ofMillis(300)); // t = 1300: answered answers, 200 ms before its deadline
        time.advanceTimeBy(Duration.ofSeconds(5));

        assertThat(outcomes)
                .containsExactly(
                        "slow: TimeoutException Redis did not answer within 1000ms",
                        "answered: value late but in time");
    }

    @Test
    void aDisposedCallCancelsItsCommandAndNeverCallsBack() {
        PublisherProbe<String> command = PublisherProbe.of(Mono.never());
        Disposable call = start("a", command.mono());
        call.dispose();
        time.advanceTimeBy(Duration.ofSeconds(5));

        command.assertWasCancelled();
        assertThat(call.isDisposed()).isTrue();
        assertThat(outcomes).isEmpty();
    }

    @Test
    void signalsRunOnTheSchedulerInOrderPerLaneAndAFailingOneDoesNotStopTheOthers() throws InterruptedException {
        Scheduler single = Schedulers.newSingle("delivery");
        try {
            RedisCalls real = new RedisCalls(single, Duration.ofSeconds(1));
            List<String> threads = new CopyOnWriteArrayList<>();
            CountDownLatch delivered = new CountDownLatch(100);
            for (int i = 0; i < 100; i++) {
                int n = i;
                real.deliver(() -> {
                    threads.add(Thread.currentThread().getName());
                    delivered.countDown();
                    if (n % 10 == 0) {
                        throw new IllegalStateException("a failing callback " + n);
                    }
                });
            }
            assertThat(delivered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(threads).hasSize(100).allSatisfy(t -> assertThat(t).startsWith("delivery"));
        } finally {
            single.dispose();
        }
    }

    @Test
    void aSchedulerThatRefusesWorkStillDeliversInline() {
        Scheduler disposed = Schedulers.newSingle("gone");
        disposed.dispose();
        RedisCalls refused = new RedisCalls(disposed, Duration.ofSeconds(1));
        List<String> delivered = new CopyOnWriteArrayList<>();
        refused.deliver(() -> delivered.add("ran"));
        refused.run(Mono.just("x"), (v, e) -> delivered.add("answered " + v));

        assertThat(delivered).containsExactly("ran", "answered x");
    }
}
