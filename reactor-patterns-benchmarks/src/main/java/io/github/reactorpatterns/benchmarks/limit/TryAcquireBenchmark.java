package io.github.reactorpatterns.benchmarks.limit;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bucket;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Uncontended fast paths, one thread: {@code AsyncSemaphore.tryAcquire} + {@code release} next to
 * {@link Semaphore}; {@code TokenBucket.tryAcquireNow(1)} next to Bucket4j's local bucket {@code tryConsume(1)} and
 * Resilience4j's {@code RateLimiter.acquirePermission()}. The limiters are configured so that every call succeeds
 * (a rate far above what one thread can consume), which measures the granting path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TryAcquireBenchmark {

    AsyncSemaphore asyncSemaphore;
    Semaphore jdkSemaphore;
    TokenBucket tokenBucket;
    Bucket bucket4j;
    RateLimiter rateLimiter;

    @Setup
    public void setUp() {
        asyncSemaphore = AsyncSemaphore.of(8);
        jdkSemaphore = new Semaphore(8);
        tokenBucket = TokenBucket.builder()
                .rate(1_000_000_000L, Duration.ofSeconds(1))
                .burst(1_000_000)
                .build();
        bucket4j = Bucket.builder()
                .addLimit(limit -> limit.capacity(1_000_000).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
                .build();
        rateLimiter = RateLimiter.of(
                "bench",
                RateLimiterConfig.custom()
                        .limitForPeriod(1_000_000)
                        .limitRefreshPeriod(Duration.ofMillis(1))
                        .timeoutDuration(Duration.ZERO)
                        .build());
    }

    @Benchmark
    public boolean asyncSemaphoreTryAcquireRelease() {
        var permit = asyncSemaphore.tryAcquireNow();
        permit.ifPresent(Permit::release);
        return permit.isPresent();
    }

    @Benchmark
    public boolean jdkSemaphoreTryAcquireRelease() {
        boolean ok = jdkSemaphore.tryAcquire();
        if (ok) {
            jdkSemaphore.release();
        }
        return ok;
    }

    @Benchmark
    public boolean tokenBucketTryAcquire() {
        return tokenBucket.tryAcquireNow(1);
    }

    @Benchmark
    public boolean bucket4jTryConsume() {
        return bucket4j.tryConsume(1);
    }

    @Benchmark
    public boolean resilience4jAcquirePermission() {
        return rateLimiter.acquirePermission();
    }
}
