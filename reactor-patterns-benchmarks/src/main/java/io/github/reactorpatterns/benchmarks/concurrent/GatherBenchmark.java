package io.github.reactorpatterns.benchmarks.concurrent;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.Gather;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code Gather.ordered} against the {@code flatMapSequential} a user would write by hand, and
 * {@code Gather.unordered} against {@code flatMap}: 100,000 already-completed tasks at several concurrency limits,
 * with scalar inners ({@code Mono.just}, which Reactor fuses instead of subscribing) and subscribed inners
 * ({@code Mono.just(x).hide()}, which defeats the shortcut). Every pipeline is assembled once in {@link #setup()};
 * a benchmark op subscribes it and drains all 100,000 results synchronously.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GatherBenchmark {

    /** How many tasks each op runs. */
    static final int INPUTS = 100_000;

    /** The concurrency limit. */
    @Param({"1", "16", "256"})
    public int concurrency;

    /** {@code scalar}: {@code Mono.just(x)}; {@code hidden}: {@code Mono.just(x).hide()}. */
    @Param({"scalar", "hidden"})
    public String inner;

    Flux<Integer> gatherOrdered;
    Flux<Integer> rawFlatMapSequential;
    Flux<Integer> gatherUnordered;
    Flux<Integer> rawFlatMap;

    /** Assembles the four pipelines. */
    @Setup
    public void setup() {
        Function<Integer, Mono<Integer>> task =
                "scalar".equals(inner) ? Mono::just : i -> Mono.just(i).hide();
        Flux<Integer> source = Flux.range(0, INPUTS);
        gatherOrdered = source.transform(Gather.ordered(concurrency, task));
        rawFlatMapSequential = source.flatMapSequential(task, concurrency);
        gatherUnordered = source.transform(Gather.unordered(concurrency, task));
        rawFlatMap = source.flatMap(task, concurrency);
    }

    /**
     * Our ordered fan-out.
     *
     * @param bh the sink for the results
     */
    @Benchmark
    public void gatherOrdered(Blackhole bh) {
        gatherOrdered.subscribe(bh::consume);
    }

    /**
     * The baseline for {@link #gatherOrdered}: {@code flatMapSequential(task, concurrency)}.
     *
     * @param bh the sink for the results
     */
    @Benchmark
    public void rawFlatMapSequential(Blackhole bh) {
        rawFlatMapSequential.subscribe(bh::consume);
    }

    /**
     * Our unordered fan-out.
     *
     * @param bh the sink for the results
     */
    @Benchmark
    public void gatherUnordered(Blackhole bh) {
        gatherUnordered.subscribe(bh::consume);
    }

    /**
     * The baseline for {@link #gatherUnordered}: {@code flatMap(task, concurrency)}.
     *
     * @param bh the sink for the results
     */
    @Benchmark
    public void rawFlatMap(Blackhole bh) {
        rawFlatMap.subscribe(bh::consume);
    }
}
