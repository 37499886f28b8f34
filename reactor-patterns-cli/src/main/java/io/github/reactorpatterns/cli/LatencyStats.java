package io.github.reactorpatterns.cli;

import java.util.Arrays;

/** Latency samples in milliseconds and their percentiles (nearest-rank). Not thread-safe. */
final class LatencyStats {

    private long[] samples = new long[64];
    private int size;

    void add(long millis) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = millis;
    }

    int count() {
        return size;
    }

    /**
     * The nearest-rank percentile: the smallest sample such that at least {@code p}% of the samples are at most it.
     *
     * @param p in (0, 100]
     * @return the percentile, or 0 with no samples
     */
    long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("p in (0, 100] required but it was " + p);
        }
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(rank, 1) - 1];
    }
}
