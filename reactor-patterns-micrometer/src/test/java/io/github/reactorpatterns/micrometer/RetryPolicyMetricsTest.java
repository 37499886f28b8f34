package io.github.reactorpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.retry.RetryAfter;
import io.github.reactorpatterns.retry.RetryAttempt;
import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class RetryPolicyMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final VirtualTimeScheduler vts = VirtualTimeScheduler.create();

    private double count(RetryAttempt.Reason reason) {
        return registry.get(RetryPolicyMetrics.ATTEMPTS)
                .tags("name", "inventory", RetryPolicyMetrics.REASON, RetryPolicyMetrics.tagValue(reason))
                .functionCounter()
                .count();
    }

    /** Fails {@code failures} times with {@code error}, then emits "ok". */
    private static Mono<String> failing(int failures, RuntimeException error) {
        AtomicInteger calls = new AtomicInteger();
        return Mono.defer(() -> calls.incrementAndGet() <= failures ? Mono.error(error) : Mono.just("ok"));
    }

    static final class Busy extends IllegalStateException implements RetryAfter {
        private final Duration hint;

        Busy(Duration hint) {
            this.hint = hint;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.of(hint);
        }
    }

    @Test
    void everyReasonIsRegisteredAtZero() {
        RetryPolicyMetrics.of("inventory").bindTo(registry);
        for (RetryAttempt.Reason reason : RetryAttempt.Reason.values()) {
            assertThat(count(reason)).as(reason.name()).isZero();
        }
        assertThat(registry.get(RetryPolicyMetrics.ATTEMPTS).functionCounters()).hasSize(7);
        assertThat(RetryPolicyMetrics.tagValue(RetryAttempt.Reason.RETRY_AFTER)).isEqualTo("retry_after");
    }

    @Test
    void retriesAndStopsAreCountedByReason() {
        RetryPolicyMetrics metrics = RetryPolicyMetrics.of("inventory");
        metrics.bindTo(registry);
        RetryPolicy policy = metrics.instrument(RetryPolicy.fixed(2, Duration.ofMillis(100))
                        .maxRetryAfter(Duration.ofSeconds(10))
                        .retryOn(IllegalStateException.class)
                        .scheduler(vts))
                .build();

        // two backoff retries, then success
        StepVerifier.create(failing(2, new IllegalStateException("down")).retryWhen(policy))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(1)))
                .expectNext("ok")
                .verifyComplete();
        // a server-directed retry, then exhausted
        StepVerifier.create(Mono.error(new Busy(Duration.ofSeconds(1))).retryWhen(policy))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(5)))
                .expectError(RetryExhaustedException.class)
                .verify(Duration.ofSeconds(5));
        // a hint the policy refuses stops at once
        StepVerifier.create(Mono.error(new Busy(Duration.ofMinutes(5))).retryWhen(policy))
                .expectError(Busy.class)
                .verify(Duration.ofSeconds(5));
        // an error the policy does not retry is not a decision
        StepVerifier.create(Mono.error(new IOException("not retryable")).retryWhen(policy))
                .expectError(IOException.class)
                .verify(Duration.ofSeconds(5));

        assertThat(count(RetryAttempt.Reason.BACKOFF)).isEqualTo(2);
        assertThat(count(RetryAttempt.Reason.RETRY_AFTER)).isEqualTo(2);
        assertThat(count(RetryAttempt.Reason.RETRIES_EXHAUSTED)).isEqualTo(1);
        assertThat(count(RetryAttempt.Reason.RETRY_AFTER_TOO_LONG)).isEqualTo(1);
        assertThat(metrics.count(RetryAttempt.Reason.MAX_ELAPSED)).isZero();
    }

    @Test
    void anEmptyBudgetAndACancelledRetry() {
        RetryPolicyMetrics metrics = RetryPolicyMetrics.of("inventory");
        metrics.bindTo(registry);
        List<RetryAttempt> logged = new CopyOnWriteArrayList<>();
        RetryPolicy policy = RetryPolicy.fixed(3, Duration.ofSeconds(1))
                .budget(RetryBudget.of(Duration.ofSeconds(10), 0, 0.0, vts))
                .onGiveUp(metrics.andThen(logged::add))
                .scheduler(vts)
                .build();
        StepVerifier.create(Mono.error(new IllegalStateException("down")).retryWhen(policy))
                .expectError(IllegalStateException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(count(RetryAttempt.Reason.BUDGET_EMPTY)).isEqualTo(1);
        assertThat(logged).hasSize(1);

        RetryPolicy patient = metrics.instrument(
                        RetryPolicy.fixed(3, Duration.ofSeconds(1)).scheduler(vts))
                .build();
        StepVerifier.create(Mono.error(new IllegalStateException("down")).retryWhen(patient))
                .expectSubscription()
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(500)))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        // the retry was decided (and counted) before the wait that the cancel cut short
        assertThat(count(RetryAttempt.Reason.BACKOFF)).isEqualTo(1);
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> RetryPolicyMetrics.of(null))
                .withMessage("name");
        assertThatNullPointerException()
                .isThrownBy(() -> RetryPolicyMetrics.of("x").instrument(null))
                .withMessage("builder");
        assertThatNullPointerException()
                .isThrownBy(() -> RetryPolicyMetrics.of("x").count(null))
                .withMessage("reason");
    }
}
