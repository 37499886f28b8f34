package io.github.reactorpatterns.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;

/**
 * Counts the requests running at once and keeps the peak, for the summary's "max concurrency" line and the demo's
 * checks. A request counts from subscription until its terminal signal (before it travels downstream) or its cancel,
 * exactly once. Thread-safe.
 */
public final class InFlight {

    private final AtomicInteger current = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();

    /**
     * Wraps {@code task} so each subscription to it is counted while it runs.
     *
     * @param task the request
     * @param <T> its value type
     * @return the counted request
     */
    public <T> Mono<T> track(Mono<T> task) {
        return Mono.defer(() -> {
            max.accumulateAndGet(current.incrementAndGet(), Math::max);
            AtomicBoolean out = new AtomicBoolean();
            Runnable exit = () -> {
                if (out.compareAndSet(false, true)) {
                    current.decrementAndGet();
                }
            };
            return task.doOnTerminate(exit).doOnCancel(exit);
        });
    }

    /**
     * The most requests seen running at once.
     *
     * @return the peak
     */
    public int max() {
        return max.get();
    }
}
