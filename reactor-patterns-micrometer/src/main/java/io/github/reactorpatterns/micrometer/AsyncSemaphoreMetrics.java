package io.github.reactorpatterns.micrometer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.SemaphoreListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters for one {@link AsyncSemaphore}: how many permits are free, how many callers wait, how many
 * permits were acquired, how many callers were refused, and how long they waited.
 *
 * <pre>{@code
 * AsyncSemaphoreMetrics metrics = AsyncSemaphoreMetrics.create("inventory", AsyncSemaphore.builder(5));
 * AsyncSemaphore semaphore = metrics.semaphore();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code name}, plus the extra tags)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #AVAILABLE}</td><td>gauge</td><td>permits free now</td></tr>
 *   <tr><td>{@value #PERMITS}</td><td>gauge</td><td>permits in total</td></tr>
 *   <tr><td>{@value #WAITING}</td><td>gauge</td><td>callers waiting for a permit now</td></tr>
 *   <tr><td>{@value #ACQUIRED}</td><td>counter</td><td>permits granted (a weighted acquire counts its weight)</td></tr>
 *   <tr><td>{@value #REJECTED}</td><td>counter</td><td>callers refused: the waiting queue was full, or
 *       {@code tryAcquire} found no permit</td></tr>
 *   <tr><td>{@value #WAIT}</td><td>timer</td><td>time from {@code acquire} to the grant, one sample per grant (zero
 *       for a grant without waiting); cancelled waiters are not recorded</td></tr>
 * </table>
 *
 * <p>The counters count from the moment the semaphore is built; the timer records once bound, in every registry it
 * is bound to. Thread-safe.
 */
public final class AsyncSemaphoreMetrics implements MeterBinder {

    /** Gauge of free permits. */
    public static final String AVAILABLE = "reactor.patterns.semaphore.available";
    /** Gauge of the semaphore's total permits. */
    public static final String PERMITS = "reactor.patterns.semaphore.permits";
    /** Gauge of waiting callers. */
    public static final String WAITING = "reactor.patterns.semaphore.waiting";
    /** Counter of permits granted. */
    public static final String ACQUIRED = "reactor.patterns.semaphore.acquired";
    /** Counter of refused callers. */
    public static final String REJECTED = "reactor.patterns.semaphore.rejected";
    /** Timer of the wait for a grant. */
    public static final String WAIT = "reactor.patterns.semaphore.wait";

    private final Tags tags;
    private final Recorder recorder;
    private final AsyncSemaphore semaphore;

    private AsyncSemaphoreMetrics(Tags tags, AsyncSemaphore.Builder builder) {
        this.tags = tags;
        this.recorder = new Recorder();
        this.semaphore = builder.listener(recorder).build();
    }

    /**
     * Builds a semaphore from {@code builder} with this binder as its listener, and returns the binder; get the
     * semaphore with {@link #semaphore()}. The builder's listener is replaced; the builder stays usable.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param builder the configured semaphore builder
     * @return a binder for the new semaphore
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static AsyncSemaphoreMetrics create(String name, AsyncSemaphore.Builder builder) {
        return create(name, builder, Tags.empty());
    }

    /**
     * Like {@link #create(String, AsyncSemaphore.Builder)}, with extra tags on every meter.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param builder the configured semaphore builder
     * @param tags extra tags
     * @return a binder for the new semaphore
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static AsyncSemaphoreMetrics create(String name, AsyncSemaphore.Builder builder, Iterable<Tag> tags) {
        Tags all = MetricTags.of(name, tags);
        return new AsyncSemaphoreMetrics(all, Objects.requireNonNull(builder, "builder"));
    }

    /**
     * The semaphore this binder observes.
     *
     * @return the semaphore built by {@link #create(String, AsyncSemaphore.Builder)}
     */
    public AsyncSemaphore semaphore() {
        return semaphore;
    }

    /**
     * Registers the meters in {@code registry}. May be called for several registries.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Gauge.builder(AVAILABLE, semaphore, AsyncSemaphore::availablePermits)
                .tags(tags)
                .baseUnit("permits")
                .description("Permits free now")
                .register(registry);
        Gauge.builder(PERMITS, semaphore, AsyncSemaphore::permits)
                .tags(tags)
                .baseUnit("permits")
                .description("Permits in total")
                .register(registry);
        Gauge.builder(WAITING, semaphore, AsyncSemaphore::waiting)
                .tags(tags)
                .description("Callers waiting for a permit now")
                .register(registry);
        FunctionCounter.builder(ACQUIRED, recorder, r -> r.acquired.sum())
                .tags(tags)
                .baseUnit("permits")
                .description("Permits granted")
                .register(registry);
        FunctionCounter.builder(REJECTED, recorder, r -> r.rejected.sum())
                .tags(tags)
                .description("Callers refused: queue full, or no permit for tryAcquire")
                .register(registry);
        recorder.addWait(Timer.builder(WAIT)
                .tags(tags)
                .description("Time from acquire to the grant")
                .register(registry));
    }

    @Override
    public String toString() {
        return "AsyncSemaphoreMetrics" + tags;
    }

    /** The semaphore's listener; the counters' state object, kept alive by the semaphore. */
    private static final class Recorder implements SemaphoreListener {

        final LongAdder acquired = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final CopyOnWriteArrayList<Timer> waits = new CopyOnWriteArrayList<>();

        /** Adds a registry's timer once: binding to the same registry twice must not record twice. */
        synchronized void addWait(Timer timer) {
            for (Timer t : waits) {
                if (t == timer) {
                    return;
                }
            }
            waits.add(timer);
        }

        @Override
        public void onAcquired(int permits, Duration waited) {
            acquired.add(permits);
            for (Timer t : waits) {
                t.record(waited);
            }
        }

        @Override
        public void onRejected(int permits) {
            rejected.increment();
        }
    }
}
