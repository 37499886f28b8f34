package io.github.reactorpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryAfter;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class TokenBucketMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final VirtualTimeScheduler vts = VirtualTimeScheduler.create();

    private double value(String name) {
        return registry.get(name)
                .tag("name", "github")
                .meter()
                .measure()
                .iterator()
                .next()
                .getValue();
    }

    @Test
    void grantsWaitsAndPausesAreMeasuredOnTheBucketsClock() {
        TokenBucketMetrics metrics = TokenBucketMetrics.create(
                "github",
                TokenBucket.builder().rate(1, Duration.ofSeconds(1)).burst(2).scheduler(vts));
        metrics.bindTo(registry);
        TokenBucket bucket = metrics.bucket();

        assertThat(bucket.tryAcquireNow(2)).isTrue();
        assertThat(bucket.tryAcquireNow(1)).isFalse(); // refused: not a grant
        Disposable first = bucket.acquire().subscribe();
        Disposable cancelled = bucket.acquire().subscribe();
        Disposable third = bucket.acquire().subscribe();
        assertThat(value(TokenBucketMetrics.WAITING)).isEqualTo(3);
        cancelled.dispose();
        assertThat(value(TokenBucketMetrics.WAITING)).isEqualTo(2);

        vts.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(value(TokenBucketMetrics.WAITING)).isZero();
        assertThat(value(TokenBucketMetrics.GRANTED)).isEqualTo(4); // 2 + 1 + 1 tokens
        Timer wait = registry.get(TokenBucketMetrics.WAIT).tag("name", "github").timer();
        assertThat(wait.count()).isEqualTo(3);
        assertThat(wait.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3000); // 0 + 1 s + 2 s
        assertThat(wait.max(TimeUnit.MILLISECONDS)).isEqualTo(2000);

        bucket.pauseNow(Duration.ofSeconds(5));
        StepVerifier.create(bucket.pause(Duration.ZERO)).verifyComplete();
        assertThat(value(TokenBucketMetrics.PAUSES)).isEqualTo(2);
        first.dispose();
        third.dispose();
    }

    @Test
    void throttleAndARetryAfterPauseAreCounted() {
        TokenBucketMetrics metrics = TokenBucketMetrics.create(
                "github", TokenBucket.builder().rate(10, Duration.ofSeconds(1)).scheduler(vts));
        metrics.bindTo(registry);
        TokenBucket bucket = metrics.bucket();
        RetryPolicy policy = RetryPolicy.fixed(1, Duration.ZERO)
                .pauseOnRetryAfter(bucket)
                .scheduler(vts)
                .build();
        class Busy extends RuntimeException implements RetryAfter {
            @Override
            public java.util.Optional<Duration> retryAfter() {
                return java.util.Optional.of(Duration.ofSeconds(1));
            }
        }
        StepVerifier.create(Flux.range(0, 5).transform(bucket.throttle()))
                .expectNextCount(1)
                .then(() -> vts.advanceTimeBy(Duration.ofMillis(400)))
                .expectNextCount(4)
                .verifyComplete();
        StepVerifier.create(Mono.error(new Busy()).retryWhen(policy))
                .then(() -> vts.advanceTimeBy(Duration.ofSeconds(2)))
                .expectError(RetryExhaustedException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(value(TokenBucketMetrics.GRANTED)).isEqualTo(5);
        // both failures' Retry-After paused the bucket: the first before its retry, the second although it ended the
        // retries (an accepted hint pauses everyone whether or not this caller retries)
        assertThat(value(TokenBucketMetrics.PAUSES)).isEqualTo(2);
    }

    @Test
    void badArguments() {
        TokenBucket.Builder noRate = TokenBucket.builder();
        assertThatIllegalStateException()
                .isThrownBy(() -> TokenBucketMetrics.create("github", noRate))
                .withMessage("rate(tokens, per) is required");
        assertThatNullPointerException()
                .isThrownBy(() -> TokenBucketMetrics.create("github", null))
                .withMessage("builder");
        assertThatNullPointerException()
                .isThrownBy(() -> TokenBucketMetrics.create(null, noRate))
                .withMessage("name");
    }
}
