package io.github.reactorpatterns.benchmarks.queue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.github.reactorpatterns.queue.WorkQueue;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

/**
 * The shapes of {@link WorkQueueBenchmark} measured in CPU time of the producer thread instead of wall time: with
 * no-op jobs every shape runs entirely on that thread, so its CPU time per job is what the shape costs, and it
 * moves far less than wall time on a shared, loaded machine. The shapes run in rounds, interleaved; the ratio is the
 * median, over the rounds after the first third (warm-up), of each shape's time divided by the first shape's time
 * in the same round.
 *
 * <pre>
 * java -cp reactor-patterns-benchmarks/target/benchmarks.jar \
 *     io.github.reactorpatterns.benchmarks.queue.WorkQueueCpuTime 15 4 raw floor put offer
 * </pre>
 *
 * <p>Arguments: rounds, workers, then shapes: {@code raw} ({@code tryEmitNext} into a unicast sink drained by
 * {@code flatMap}), {@code concat} (the same fed through {@code concatMap(Mono.defer(...))}), {@code floor}
 * ({@code concatMap} over a {@code Mono} that only completes: the cost of the producer shape of {@code put} with
 * no queue at all), {@code put} and {@code offer}.
 */
public final class WorkQueueCpuTime {

    private static final int JOBS = 1_000_000;
    private static final int CAPACITY = 256;

    private WorkQueueCpuTime() {}

    /**
     * Runs the rounds and prints the medians and ratios.
     *
     * @param args rounds, workers, shapes
     */
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        int workers = Integer.parseInt(args[1]);
        List<String> shapes = List.of(args).subList(2, args.length);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> nanosPerJob = new LinkedHashMap<>();
        for (String shape : shapes) {
            nanosPerJob.put(shape, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (String shape : shapes) {
                long start = threads.getCurrentThreadCpuTime();
                run(shape, workers);
                nanosPerJob.get(shape).add((threads.getCurrentThreadCpuTime() - start) / (double) JOBS);
            }
        }
        int warmUp = rounds / 3;
        String first = shapes.get(0);
        for (String shape : shapes) {
            List<Double> measured = nanosPerJob.get(shape).subList(warmUp, rounds);
            List<Double> ratios = new ArrayList<>();
            for (int round = warmUp; round < rounds; round++) {
                ratios.add(nanosPerJob.get(shape).get(round)
                        / nanosPerJob.get(first).get(round));
            }
            System.out.printf(
                    "%-7s workers=%d  CPU ns/job median %6.1f  ratio to %s %.2f%n",
                    shape, workers, median(measured), first, median(ratios));
        }
    }

    private static void run(String shape, int workers) {
        switch (shape) {
            case "raw" -> raw(workers);
            case "concat" -> concat(workers);
            case "floor" ->
                Flux.range(0, JOBS).concatMap(job -> new CompleteAtOnce()).blockLast();
            case "put" -> put(workers);
            case "offer" -> offer(workers);
            default -> throw new IllegalArgumentException("unknown shape: " + shape);
        }
    }

    private static void raw(int workers) {
        Sinks.Many<Integer> sink = Sinks.many().unicast().onBackpressureBuffer();
        CompletableFuture<Void> done =
                sink.asFlux().flatMap(job -> Mono.empty(), workers).then().toFuture();
        for (int i = 0; i < JOBS; i++) {
            sink.tryEmitNext(i);
        }
        sink.tryEmitComplete();
        done.join();
    }

    private static void concat(int workers) {
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

    private static void put(int workers) {
        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(CAPACITY)
                .workers(workers)
                .handler(job -> Mono.empty())
                .build();
        Flux.range(0, JOBS).concatMap(queue::put).then(queue.join()).block();
    }

    private static void offer(int workers) {
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
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** A {@code Mono} that completes at subscription and is not a {@code Callable}, like {@code put} with room. */
    private static final class CompleteAtOnce extends Mono<Void> {
        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            Operators.complete(actual);
        }
    }
}
