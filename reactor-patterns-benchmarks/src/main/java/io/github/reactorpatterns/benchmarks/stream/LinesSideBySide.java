package io.github.reactorpatterns.benchmarks.stream;

import java.io.IOException;
import java.util.Arrays;

import org.openjdk.jmh.infra.Blackhole;

/**
 * Runs {@link LinesBenchmark}'s two methods alternately in one JVM and prints the median time of each and the median
 * of the ratios of adjacent runs: on a loaded machine, adjacent runs share the load, so their ratio is steadier than
 * two JMH runs minutes apart. Usage: {@code java -cp benchmarks.jar
 * io.github.reactorpatterns.benchmarks.stream.LinesSideBySide [rounds]}.
 */
public final class LinesSideBySide {

    private LinesSideBySide() {}

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        LinesBenchmark benchmark = new LinesBenchmark();
        benchmark.setUp();
        Blackhole blackhole = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (int i = 0; i < 5; i++) { // warm-up
            benchmark.lines(blackhole);
            benchmark.bufferedReaderReadLine(blackhole);
        }
        double[] lines = new double[rounds];
        double[] reader = new double[rounds];
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            benchmark.lines(blackhole);
            long middle = System.nanoTime();
            benchmark.bufferedReaderReadLine(blackhole);
            long end = System.nanoTime();
            lines[i] = (middle - start) / 1e6;
            reader[i] = (end - middle) / 1e6;
            ratio[i] = reader[i] / lines[i]; // > 1: lines is faster
        }
        double megabytes = benchmark.text.length / 1e6;
        System.out.printf("rounds %d, %.1f MB per run%n", rounds, megabytes);
        System.out.printf(
                "ByteStreams.lines        median %8.1f ms  %7.1f MB/s%n",
                median(lines), megabytes / median(lines) * 1e3);
        System.out.printf(
                "BufferedReader.readLine  median %8.1f ms  %7.1f MB/s%n",
                median(reader), megabytes / median(reader) * 1e3);
        System.out.printf(
                "lines MB/s / readLine MB/s: median of adjacent pairs %.2f (min %.2f, max %.2f)%n",
                median(ratio),
                Arrays.stream(ratio).min().orElse(0),
                Arrays.stream(ratio).max().orElse(0));
        blackhole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
