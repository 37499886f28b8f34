package io.github.reactorpatterns.retry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import reactor.core.scheduler.Scheduler;

/**
 * A sum over a sliding time window, in slices: additions expire one slice at a time, so the window covers between
 * {@code window - window/slices} and {@code window} of history. Adding is a {@link LongAdder} increment plus one
 * clock read; only the roll to a new slice (once per slice) and {@link #sum()} take the lock.
 */
final class WindowedCounter {

    private final Scheduler clock;
    private final long sliceNanos;
    /** Sealed slices, a ring; {@code oldest} is the next to be overwritten. Guarded by {@code this}. */
    private final long[] sealed;

    private int oldest;
    private final LongAdder current = new LongAdder();
    private volatile long currentSliceStart;

    WindowedCounter(Duration window, int slices, Scheduler clock) {
        this.clock = clock;
        this.sliceNanos = window.toNanos() / slices;
        this.sealed = new long[slices - 1];
        this.currentSliceStart = clock.now(TimeUnit.NANOSECONDS);
    }

    void add(long amount) {
        roll();
        current.add(amount);
    }

    long sum() {
        roll();
        synchronized (this) {
            long sum = current.sum();
            for (long slice : sealed) {
                sum += slice;
            }
            return sum;
        }
    }

    private void roll() {
        long now = clock.now(TimeUnit.NANOSECONDS);
        if (now - currentSliceStart >= sliceNanos) {
            rollTo(now);
        }
    }

    private synchronized void rollTo(long now) {
        long elapsedSlices = (now - currentSliceStart) / sliceNanos;
        if (elapsedSlices <= 0) {
            return; // another thread rolled first
        }
        sealed[oldest] = current.sumThenReset();
        oldest = (oldest + 1) % sealed.length;
        long emptySlices = Math.min(elapsedSlices - 1, sealed.length);
        for (long i = 0; i < emptySlices; i++) {
            sealed[oldest] = 0;
            oldest = (oldest + 1) % sealed.length;
        }
        currentSliceStart += elapsedSlices * sliceNanos;
    }
}
