package io.github.reactorpatterns.benchmarks.limit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolBuilder;

/**
 * {@code AsyncSemaphore.withPermit} around {@code tasks} tasks flatMapped at concurrency 64 with 8 permits, next to
 * the same pipeline without a limit, reactor-pool used as a semaphore, and Resilience4j's {@code BulkheadOperator}.
 *
 * <p>{@code async = true}: each task completes on {@code Schedulers.parallel()}, so the 8 permits really contend.
 * {@code async = false}: each task completes synchronously, so at most one permit is ever held (the uncontended
 * cost of the wrapper).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SemaphoreBenchmark {

    static final int CONCURRENCY = 64;
    static final int PERMITS = 8;

    @Param({"1000000"})
    public int tasks;

    @Param({"true", "false"})
    public boolean async;

    AsyncSemaphore semaphore;
    InstrumentedPool<Object> pool;
    Bulkhead bulkhead;

    @Setup(Level.Trial)
    public void setUp() {
        semaphore = AsyncSemaphore.of(PERMITS);
        pool = PoolBuilder.from(Mono.fromSupplier(Object::new))
                .sizeBetween(0, PERMITS)
                .maxPendingAcquireUnbounded()
                .buildPool();
        bulkhead = Bulkhead.of(
                "bench",
                BulkheadConfig.custom()
                        .maxConcurrentCalls(PERMITS)
                        .maxWaitDuration(Duration.ZERO)
                        .build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.disposeLater().block();
    }

    Mono<Integer> task(int i) {
        Mono<Integer> m = Mono.fromCallable(() -> i);
        return async ? m.subscribeOn(Schedulers.parallel()) : m;
    }

    @Benchmark
    public Long noLimit() {
        return Flux.range(0, tasks).flatMap(this::task, CONCURRENCY).count().block();
    }

    /**
     * The same pipeline with the task hidden from {@code flatMap}'s scalar fast path: {@code Mono.fromCallable} is
     * a {@code Callable}, which {@code flatMap} calls in place without subscribing, a shortcut that no wrapper of the
     * task (ours, reactor-pool's, Resilience4j's) can take. Only differs from {@code noLimit} when {@code async} is
     * false.
     */
    @Benchmark
    public Long noLimitSubscribed() {
        return Flux.range(0, tasks)
                .flatMap(i -> task(i).hide(), CONCURRENCY)
                .count()
                .block();
    }

    @Benchmark
    public Long asyncSemaphore() {
        return Flux.range(0, tasks)
                .flatMap(i -> semaphore.withPermit(task(i)), CONCURRENCY)
                .count()
                .block();
    }

    @Benchmark
    public Long reactorPoolAsSemaphore() {
        return Flux.range(0, tasks)
                .flatMap(i -> pool.withPoolable(o -> task(i)), CONCURRENCY)
                .count()
                .block();
    }

    /** Rejecting mode: calls beyond 8 in flight fail at once and are dropped; returns how many ran. */
    @Benchmark
    public Long resilience4jBulkheadRejecting() {
        return Flux.range(0, tasks)
                .flatMap(
                        i -> task(i).transformDeferred(BulkheadOperator.of(bulkhead))
                                .onErrorResume(BulkheadFullException.class, e -> Mono.empty()),
                        CONCURRENCY)
                .count()
                .block();
    }
}
