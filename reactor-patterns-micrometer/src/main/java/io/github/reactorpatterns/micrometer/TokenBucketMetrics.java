package io.github.reactorpatterns.micrometer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.limit.TokenBucketListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters for one {@link TokenBucket}: tokens granted, callers waiting, how long they waited, and pauses.
 *
 * <pre>{@code
 * TokenBucketMetrics metrics = TokenBucketMetrics.create("github",
 *         TokenBucket.builder().rate(10, Duration.ofSeconds(1)).burst(20));
 * TokenBucket bucket = metrics.bucket();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code name}, plus the extra tags)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #GRANTED}</td><td>counter</td><td>tokens granted (to {@code acquire}, {@code tryAcquire},
 *       {@code withToken} and {@code throttle})</td></tr>
 *   <tr><td>{@value #WAITING}</td><td>gauge</td><td>callers waiting for tokens now</td></tr>
 *   <tr><td>{@value #WAIT}</td><td>timer</td><td>time from {@code acquire} to the grant, on the bucket's scheduler
 *       clock; one sample per grant (zero for a grant without waiting); cancelled waiters are not recorded</td></tr>
 *   <tr><td>{@value #PAUSES}</td><td>counter</td><td>pauses requested ({@code pause}, {@code pauseNow}, a
 *       {@code Retry-After} through {@code RetryPolicy.Builder.pauseOnRetryAfter})</td></tr>
 * </table>
 *
 * <p>The counters count from the moment the bucket is built; the timer records once bound, in every registry it is
 * bound to. Thread-safe.
 */
public final class TokenBucketMetrics implements MeterBinder {

    /** Counter of tokens granted. */
    public static final String GRANTED = "reactor.patterns.token.bucket.granted";
    /** Gauge of waiting callers. */
    public static final String WAITING = "reactor.patterns.token.bucket.waiting";
    /** Timer of the wait for a grant. */
    public static final String WAIT = "reactor.patterns.token.bucket.wait";
    /** Counter of pauses requested. */
    public static final String PAUSES = "reactor.patterns.token.bucket.pauses";

    private final Tags tags;
    private final Recorder recorder;
    private final TokenBucket bucket;

    private TokenBucketMetrics(Tags tags, TokenBucket.Builder builder) {
        this.tags = tags;
        this.recorder = new Recorder();
        this.bucket = builder.listener(recorder).build();
    }

    /**
     * Builds a bucket from {@code builder} with this binder as its listener, and returns the binder; get the bucket
     * with {@link #bucket()}. The builder's listener is replaced; the builder stays usable.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param builder the configured bucket builder (its rate set)
     * @return a binder for the new bucket
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the builder has no rate
     */
    public static TokenBucketMetrics create(String name, TokenBucket.Builder builder) {
        return create(name, builder, Tags.empty());
    }

    /**
     * Like {@link #create(String, TokenBucket.Builder)}, with extra tags on every meter.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param builder the configured bucket builder (its rate set)
     * @param tags extra tags
     * @return a binder for the new bucket
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the builder has no rate
     */
    public static TokenBucketMetrics create(String name, TokenBucket.Builder builder, Iterable<Tag> tags) {
        Tags all = MetricTags.of(name, tags);
        return new TokenBucketMetrics(all, Objects.requireNonNull(builder, "builder"));
    }

    /**
     * The bucket this binder observes.
     *
     * @return the bucket built by {@link #create(String, TokenBucket.Builder)}
     */
    public TokenBucket bucket() {
        return bucket;
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
        FunctionCounter.builder(GRANTED, recorder, r -> r.granted.sum())
                .tags(tags)
                .baseUnit("tokens")
                .description("Tokens granted")
                .register(registry);
        Gauge.builder(WAITING, bucket, TokenBucket::waiting)
                .tags(tags)
                .description("Callers waiting for tokens now")
                .register(registry);
        FunctionCounter.builder(PAUSES, recorder, r -> r.pauses.sum())
                .tags(tags)
                .description("Pauses requested")
                .register(registry);
        recorder.addWait(Timer.builder(WAIT)
                .tags(tags)
                .description("Time from acquire to the grant")
                .register(registry));
    }

    @Override
    public String toString() {
        return "TokenBucketMetrics" + tags;
    }

    /** The bucket's listener; the counters' state object, kept alive by the bucket. */
    private static final class Recorder implements TokenBucketListener {

        final LongAdder granted = new LongAdder();
        final LongAdder pauses = new LongAdder();
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
        public void onGranted(int tokens, Duration waited) {
            granted.add(tokens);
            for (Timer t : waits) {
                t.record(waited);
            }
        }

        @Override
        public void onPaused(Duration pause) {
            pauses.increment();
        }
    }
}
