package io.github.reactorpatterns.test;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts how many wrapped {@link Mono}s or {@link Flux}es are running at once, and records the maximum and the total.
 *
 * <p>A wrapped publisher counts as running from the moment it is subscribed until its terminal signal (complete or
 * error) arrives, or until it is cancelled. The count drops before the terminal signal travels downstream, so an
 * operator that starts the next task in reaction to it is not seen as running both. Use it to prove a concurrency
 * limit:
 * <pre>{@code
 * ConcurrencyProbe probe = ConcurrencyProbe.create();
 * Flux.range(0, 100)
 *     .transform(Gather.ordered(3, i -> probe.wrap(Mono.delay(Duration.ofMillis(10)))))
 *     .blockLast();
 * probe.assertMaxAtMost(3);
 * }</pre>
 *
 * <p>Thread-safe: any number of wrapped publishers may run on any threads; the counters are atomic. Each
 * subscription to a wrapped publisher counts separately, so re-subscribing (a retry) counts again.
 */
public final class ConcurrencyProbe {

    private final AtomicInteger current = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicLong total = new AtomicLong();

    private ConcurrencyProbe() {}

    /**
     * Creates a probe with all counters at zero.
     *
     * @return a new probe
     */
    public static ConcurrencyProbe create() {
        return new ConcurrencyProbe();
    }

    /**
     * Wraps a {@link Mono} so that each subscription to it is counted while it runs.
     *
     * @param source the task to count
     * @param <T> the value type
     * @return a {@link Mono} that behaves like {@code source} and updates this probe
     * @throws NullPointerException if {@code source} is null
     */
    public <T> Mono<T> wrap(Mono<T> source) {
        Objects.requireNonNull(source, "source");
        return Mono.defer(() -> {
            Runnable exit = enter();
            return source.doOnTerminate(exit).doOnCancel(exit);
        });
    }

    /**
     * Wraps a {@link Flux} so that each subscription to it is counted while it runs.
     *
     * @param source the stream to count
     * @param <T> the element type
     * @return a {@link Flux} that behaves like {@code source} and updates this probe
     * @throws NullPointerException if {@code source} is null
     */
    public <T> Flux<T> wrap(Flux<T> source) {
        Objects.requireNonNull(source, "source");
        return Flux.defer(() -> {
            Runnable exit = enter();
            return source.doOnTerminate(exit).doOnCancel(exit);
        });
    }

    /**
     * Counts one subscription in and returns the action that counts it out exactly once. The exit runs when the
     * terminal signal arrives, before it is passed downstream (not in {@code doFinally}, which runs after it): an
     * operator such as {@code flatMap} subscribes the next task in reaction to that signal, and the two must not be
     * seen running together.
     */
    private Runnable enter() {
        int now = current.incrementAndGet();
        max.accumulateAndGet(now, Math::max);
        total.incrementAndGet();
        AtomicBoolean exited = new AtomicBoolean();
        return () -> {
            if (exited.compareAndSet(false, true)) {
                current.decrementAndGet();
            }
        };
    }

    /**
     * How many wrapped subscriptions are running now.
     *
     * @return the current count
     */
    public int current() {
        return current.get();
    }

    /**
     * The largest number of wrapped subscriptions that ran at once since creation or the last {@link #reset()}.
     *
     * @return the maximum observed concurrency
     */
    public int max() {
        return max.get();
    }

    /**
     * How many wrapped subscriptions have started since creation or the last {@link #reset()}.
     *
     * @return the total number of subscriptions
     */
    public long total() {
        return total.get();
    }

    /**
     * Sets the maximum and the total back to zero; the current count is kept, since those subscriptions still run.
     */
    public void reset() {
        max.set(current.get());
        total.set(0);
    }

    /**
     * Asserts that never more than {@code limit} wrapped subscriptions ran at once.
     *
     * @param limit the largest allowed concurrency
     * @throws AssertionError if the observed maximum exceeds {@code limit}
     */
    public void assertMaxAtMost(int limit) {
        int observed = max.get();
        if (observed > limit) {
            throw new AssertionError(
                    "expected at most " + limit + " concurrent subscriptions but observed " + observed);
        }
    }

    @Override
    public String toString() {
        return "ConcurrencyProbe[current=" + current() + ", max=" + max() + ", total=" + total() + "]";
    }
}
