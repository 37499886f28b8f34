package io.github.reactorpatterns.benchmarks.queue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.queue.WorkQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * 1,000,000 no-op jobs through {@link WorkQueue} with 1 and 4 workers, against the hand-rolled
 * {@code Sinks.many().unicast()} + {@code flatMap(handler, workers)} it replaces. Each invocation pushes all jobs
 * from one producer thread and waits until every job has ended; the score is the time per million jobs.
 *
 * <ul>
 *   <li>{@code baselineUnicastFlatMap}: {@code tryEmitNext} into an unbounded unicast sink drained by
 *       {@code flatMap} (what users write: no bound, no join, no shutdown accounting).</li>
 *   <li>{@code baselineUnicastFlatMapConcatMapProducer}: the same, fed through
 *       {@code concatMap(job -> Mono.defer(...))}, the producer shape of {@code workQueuePut}.</li>
 *   <li>{@code workQueueOffer}: {@link WorkQueue#offer(Object)} in a loop, then {@link WorkQueue#join()}.</li>
 *   <li>{@code workQueuePut}: {@code Flux.range(...).concatMap(queue::put).then(queue.join())}: the waiting
 *       producer, one {@code Mono} per job.</li>
 *   <li>{@code pipeline}: {@link Gather#pipeline(int, int, java.util.function.Function)} over
 *       {@code Flux.range}, one {@code Outcome} per job.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WorkQueueBenchmark {

    private static final int JOBS = 1_000_000;
    private static final int CAPACITY = 256;

    @Param({"1", "4"})
    public int workers;

    @Benchmark
    public void baselineUnicastFlatMap() {
        Sinks.Many<Integer> sink = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> done =
                sink.asFlux().flatMap(job -> Mono.empty(), workers).then().toFuture();
        for (int i = 0; i < JOBS; i++) {
            sink.tryEmitNext(i);
        }
        sink.tryEmitComplete();
        done.join();
    }

    /** The baseline with the producer idiom of {@code workQueuePut}: one deferred {@code Mono} per job. */
    @Benchmark
    public void baselineUnicastFlatMapConcatMapProducer() {
        Sinks.Many<Integer> sink = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> done =
                sink.asFlux().flatMap(job -> Mono.empty(), workers).then().toFuture();
        Flux.range(0, JOBS)
                .concatMap(job -> Mono.defer(() -> {
                    sink.tryEmitNext(job);
                    return Mono.<Void>empty();
                }))
                .then(Mono.fromRunnable(sink::tryEmitComplete))
                .block();
        done.join();
    }

    @Benchmark
    public long workQueueOffer() {
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(CAPACITY)
                .workers(workers)
                .handler(job -> Mono.empty())
                .build();
        for (int i = 0; i < JOBS; i++) {
            if (!queue.offer(i)) {
                throw new IllegalStateException("no-op jobs end at once: the queue cannot be full");
            }
        }
        queue.join().block();
        return queue.completed();
    }

    @Benchmark
    public long workQueuePut() {
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(CAPACITY)
                .workers(workers)
                .handler(job -> Mono.empty())
                .build();
        Flux.range(0, JOBS).concatMap(queue::put).then(queue.join()).block();
        return queue.completed();
    }

    @Benchmark
    public Object pipeline() {
        return Flux.range(0, JOBS)
                .transform(Gather.pipeline(CAPACITY, workers, (Integer job) -> Mono.empty()))
                .blockLast();
    }
}
