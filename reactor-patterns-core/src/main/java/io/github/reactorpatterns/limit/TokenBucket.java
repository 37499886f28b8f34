package io.github.reactorpatterns.limit;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A non-blocking token-bucket rate limiter: at most {@code burst} tokens at once, refilled at {@code rate}; the
 * reactive form of the seeds' {@code TokenBucket(rate, burst)}. Reactor has no time-based limiter ({@code limitRate}
 * only shapes demand, reactor-core #2000).
 *
 * <pre>{@code
 * TokenBucket bucket = TokenBucket.builder().rate(10, Duration.ofSeconds(1)).burst(20).build();
 * Mono<Response> fetch(String url) {
 *     return bucket.withToken(client.get(url));          // one token per call, waits if none is left
 * }
 * Flux<Event> paced = events.transform(bucket.throttle()); // one token per element, order kept
 * }</pre>
 *
 * <p><b>Guarantee.</b> Over any window of length {@code T}, at most {@code burst + rate × T} tokens are granted, and
 * with continuous demand tokens are granted at exactly {@code rate} with no drift: the arithmetic is exact integer
 * arithmetic on the clock of the {@link Builder#scheduler(Scheduler) scheduler}, so
 * {@code StepVerifier.withVirtualTime} tests it to the nanosecond.
 *
 * <p><b>Design.</b> The bucket is a GCRA (generic cell rate algorithm, "virtual scheduling"): its only state for
 * granting is the theoretical arrival time {@code TAT} in one {@code AtomicLong}. A request for {@code n} tokens at
 * time {@code now} conforms if {@code max(TAT, now) + n × I - now <= burst × I} (with {@code I = 1 / rate}), and
 * then sets {@code TAT = max(TAT, now) + n × I}: {@link #tryAcquireNow(int)} is one CAS. Time is kept in units of
 * {@code 1/q} ns where {@code I = p/q} ns in lowest terms, so an interval such as 1/3 s is represented exactly
 * (the scale {@code q} is capped at 1024; past it the interval is rounded to 1/1024 ns, an error below one
 * nanosecond per 2048 tokens). Differences are compared with wrap-around arithmetic, like {@code System.nanoTime}.
 * The clock ticks in whole nanoseconds, so with an interval that is not a whole number of nanoseconds the
 * {@code k}-th token of a continuous demand is granted at exactly {@code ceil(k × I)}: no drift, and the window
 * bound above holds to the clock's resolution ({@code T} plus under one nanosecond); with a whole-nanosecond interval
 * (10/s, 200/s, 1000/s, ...) it holds exactly.
 *
 * <p>Waiting callers are where a plain GCRA is not enough: if each waiter reserved its slot by pushing {@code TAT}
 * forward, a waiter that cancels could not give its slot back, because the slots after it are already fixed (this
 * is Resilience4j's #314). So {@code TAT} counts only tokens actually granted, and waiters form an explicit FIFO
 * queue. Only the head of the queue has a timer, set for the instant it will conform; when it fires, a drain loop
 * grants as many waiters from the head as conform and sets the timer for the new head. A waiter that cancels
 * leaves the queue at once; if it was the head, the next waiter becomes the head and its timer is set from the
 * unchanged {@code TAT}, so it moves up into the cancelled waiter's slot. While anybody waits,
 * {@code tryAcquire} and the fast path of {@code acquire} refuse to take tokens, so nobody overtakes the queue. A
 * grant that races a cancel is undone (the {@code TAT} CAS is reversed) unless another grant happened in between,
 * in which case the token counts as spent: the limit is never exceeded.
 *
 * <p>Nothing blocks: the queue is guarded by a short lock never held while user code runs, timers come from the
 * scheduler, and grants run in a trampolined drain loop. Instances are thread-safe.
 */
public final class TokenBucket implements RateLimiter {

    /** Default burst: one token, so tokens are spaced evenly at the rate. */
    public static final int DEFAULT_BURST = 1;

    /** Default initial state: full, so {@code burst} tokens can be taken at once right after creation. */
    public static final boolean DEFAULT_INITIALLY_FULL = true;

    static final long MAX_SCALE = 1024;
    /** A {@code TAT} further ahead than this is a wrapped-around stale one (an idle bucket): treat it as "now". */
    static final long WRAP_GUARD = 1L << 62;

    /** The longest {@link #pause(Duration)}: one day. */
    public static final Duration MAX_PAUSE = Duration.ofDays(1);

    private final Scheduler scheduler;
    private final long origin;
    /** Time units per nanosecond. */
    private final long scale;
    /** Time units per token. */
    private final long cost;
    /** {@code burst × cost}. */
    private final long capacity;
    private final int burst;
    private final long rateTokens;
    private final Duration ratePer;
    private final @Nullable TokenBucketListener listener;

    volatile long tat;
    static final AtomicLongFieldUpdater<TokenBucket> TAT = AtomicLongFieldUpdater.newUpdater(TokenBucket.class, "tat");

    /** Number of linked waiters; written under {@link #lock}. */
    volatile int waiting;
    /** Tokens wanted by linked waiters; written under {@link #lock}. */
    volatile long queuedTokens;

    volatile int wip;
    static final AtomicIntegerFieldUpdater<TokenBucket> WIP =
            AtomicIntegerFieldUpdater.newUpdater(TokenBucket.class, "wip");

    private final Object lock = new Object();
    private @Nullable BucketWaiter head;
    private @Nullable BucketWaiter tail;
    /** The head's timer; only touched by the drain loop. */
    private @Nullable HeadTimer timer;

    private TokenBucket(Builder b) {
        this.scheduler = b.scheduler != null ? b.scheduler : Schedulers.parallel();
        this.burst = b.burst;
        this.rateTokens = b.tokens;
        this.ratePer = Objects.requireNonNull(b.per);
        this.listener = b.listener;
        long perNanos = b.perNanos;
        long g = BigInteger.valueOf(perNanos).gcd(BigInteger.valueOf(b.tokens)).longValueExact();
        long q = b.tokens / g;
        long p = perNanos / g;
        if (q > MAX_SCALE) {
            q = MAX_SCALE;
            p = BigInteger.valueOf(perNanos).multiply(BigInteger.valueOf(MAX_SCALE))
                    .add(BigInteger.valueOf(b.tokens / 2))
                    .divide(BigInteger.valueOf(b.tokens)).longValueExact();
            if (p == 0) {
                throw new IllegalArgumentException("rate of " + b.tokens + " tokens per " + b.per
                        + " is too high (more than " + MAX_SCALE + " tokens per nanosecond)");
            }
        }
        this.scale = q;
        this.cost = p;
        try {
            this.capacity = Math.multiplyExact((long) b.burst, p);
            Math.multiplyExact(capacity, 4L);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("burst × interval is too long: burst " + b.burst + " at " + b.tokens
                    + " tokens per " + b.per, e);
        }
        this.origin = scheduler.now(TimeUnit.NANOSECONDS);
        // now() is 0 at creation: TAT <= now is a full bucket, TAT = now + capacity an empty one.
        this.tat = b.initiallyFull ? 0L : capacity;
    }

    /**
     * Starts a builder. {@link Builder#rate(long, Duration)} is required; everything else has a default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes one token, waiting if none is available; same as {@code acquire(1)}.
     *
     * @return a {@code Mono} that completes empty once the token is granted
     * @see #acquire(int)
     */
    @Override
    public Mono<Void> acquire() {
        return acquire(1);
    }

    /**
     * Takes {@code tokens} tokens together, waiting (without blocking a thread) until they are available. Nothing
     * happens before subscription. Waiters are served in subscription order; the returned {@code Mono} completes
     * empty on the scheduler's timer thread (or at once, on the subscribing thread, when the tokens are there).
     *
     * <p>Cancel: a waiting subscriber leaves the queue at once and its reservation goes to the waiters behind it.
     * Errors: only a {@link RejectedExecutionException} if the scheduler refuses the timer.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} that completes once the tokens are granted
     * @throws IllegalArgumentException if {@code tokens <= 0} or {@code tokens > burst} (it could never conform)
     */
    @Override
    public Mono<Void> acquire(int tokens) {
        checkTokens(tokens);
        return new MonoBucketAcquire(this, tokens);
    }

    /** Called once per subscription to {@link #acquire(int)}, after {@code onSubscribe}. */
    void acquire(BucketWaiter w) {
        if (waiting == 0) {
            long now = now();
            long need = w.tokens * cost;
            for (;;) {
                long t = tat;
                long nt = base(t, now) + need;
                if (nt - now - capacity > 0) {
                    break;
                }
                if (TAT.compareAndSet(this, t, nt)) {
                    if (w.markGranted()) {
                        LimitListeners.grantedNow(listener, w.tokens);
                        w.complete();
                    } else {
                        TAT.compareAndSet(this, nt, t);   // cancelled meanwhile: undo unless someone took since
                    }
                    return;
                }
            }
        }
        w.queuedAt = LimitListeners.queuedAt(listener, scheduler);
        enqueue(w);
    }

    /**
     * Takes {@code tokens} tokens if they are available right now; never waits and never overtakes a waiter (it
     * fails while anybody waits). The synchronous form of {@link #tryAcquire(int)}. Lock-free: one CAS when
     * uncontended.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return {@code true} if the tokens were taken
     * @throws IllegalArgumentException if {@code tokens <= 0} or {@code tokens > burst}
     */
    public boolean tryAcquireNow(int tokens) {
        checkTokens(tokens);
        if (waiting == 0 && take(tokens, now()) == 0) {
            LimitListeners.grantedNow(listener, tokens);
            return true;
        }
        return false;
    }

    /**
     * How long an {@code acquire(tokens)} subscribed now would wait, counting the waiters already queued (a
     * snapshot: concurrent callers may change it). The synchronous form of {@link #estimatedWait(int)}.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return the wait, {@link Duration#ZERO} if the tokens are available now
     * @throws IllegalArgumentException if {@code tokens <= 0} or {@code tokens > burst}
     */
    public Duration estimatedWaitNow(int tokens) {
        checkTokens(tokens);
        long now = now();
        long over = base(tat, now) + (queuedTokens + tokens) * cost - now - capacity;
        return over <= 0 ? Duration.ZERO : Duration.ofNanos(ceilDiv(over, scale));
    }

    /**
     * Runs {@code task} after taking one token: subscribed to the returned {@code Mono}, waits for a token, then
     * subscribes to {@code task} and passes its signals through unchanged. Cancelling while waiting gives the
     * reservation back; the token is spent once granted (it paces the start of the task, not its duration).
     *
     * @param task the call to pace
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Mono<T> withToken(Mono<T> task) {
        Objects.requireNonNull(task, "task");
        return acquire(1).then(task);
    }

    /**
     * An operator that lets each element through once a token is granted for it, keeping order and backpressure:
     * use it as {@code flux.transform(bucket.throttle())}. It takes a token only while downstream has unmet demand,
     * requests exactly one element from upstream per token granted, and holds at most that one element — so it
     * never requests from upstream faster than the tokens allow and buffers nothing beyond the demand. Unlike
     * {@code delayElements} it shares the rate with every other user of this bucket and allows bursts.
     *
     * <p>Errors and completion from upstream pass through at once (a pending token reservation is given back);
     * cancel cancels upstream and gives back a pending reservation; an empty source completes empty. Because the
     * token comes before the request, the last token taken may be spent on a request that upstream answers with
     * completion (an empty source costs one token).
     *
     * @param <T> the type of the elements
     * @return a function for {@code transform}
     */
    public <T> Function<Flux<T>, Flux<T>> throttle() {
        return source -> new FluxThrottle<>(source, this);
    }

    /**
     * Holds every caller back for {@code pause}, at once (the synchronous form of {@link #pause(Duration)}): no token
     * is granted, to waiters or to {@link #tryAcquireNow(int)},
     * until {@code pause} has passed; then tokens flow at the configured rate again, starting with one token rather
     * than a full burst. This is "a 429 with {@code Retry-After} pauses the shared limiter": a server that asks one
     * caller to back off gets a break from every caller sharing the bucket.
     * {@link io.github.reactorpatterns.retry.RetryPolicy.Builder#pauseOnRetryAfter(RateLimiter)} pauses for every
     * server-directed delay it accepts.
     *
     * <p>A pause that ends before the bucket's current backlog would anyway changes nothing; pauses never shorten
     * a wait. Waiters keep their order. Pauses longer than {@link #MAX_PAUSE} are held for {@code MAX_PAUSE}.
     * Thread-safe and non-blocking (one CAS loop).
     *
     * @param pause how long to hold everyone back; zero does nothing
     * @throws NullPointerException if {@code pause} is null
     * @throws IllegalArgumentException if {@code pause} is negative
     */
    public void pauseNow(Duration pause) {
        Objects.requireNonNull(pause, "pause");
        if (pause.isNegative()) {
            throw new IllegalArgumentException("pause >= 0 required but it was " + pause);
        }
        LimitListeners.paused(listener, pause);
        long pauseNanos = pause.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE.toNanos() : pause.toNanos();
        long now = now();
        // A single token conforms at time x when TAT + cost - x <= capacity: this TAT makes the first one
        // conform exactly when the pause ends.
        long target = now + pauseNanos * scale + capacity - cost;
        for (;;) {
            long t = tat;
            if (base(t, now) - target >= 0) {
                return;
            }
            if (TAT.compareAndSet(this, t, target)) {
                // A head waiter's timer that fires before the pause ends finds no token and re-arms itself.
                return;
            }
        }
    }

    /**
     * {@link #tryAcquireNow(int)} on subscription.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} of whether the tokens were taken
     * @throws IllegalArgumentException if {@code tokens <= 0} or {@code tokens > burst}
     */
    @Override
    public Mono<Boolean> tryAcquire(int tokens) {
        checkTokens(tokens);
        return Mono.fromSupplier(() -> tryAcquireNow(tokens));
    }

    /**
     * {@link #pauseNow(Duration)} on subscription.
     *
     * @param pause how long to hold everyone back; zero does nothing
     * @return a {@code Mono} that completes once the pause is in force
     * @throws NullPointerException if {@code pause} is null
     * @throws IllegalArgumentException if {@code pause} is negative
     */
    @Override
    public Mono<Void> pause(Duration pause) {
        Objects.requireNonNull(pause, "pause");
        if (pause.isNegative()) {
            throw new IllegalArgumentException("pause >= 0 required but it was " + pause);
        }
        return Mono.fromRunnable(() -> pauseNow(pause));
    }

    /**
     * {@link #estimatedWaitNow(int)} on subscription.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} of the wait
     * @throws IllegalArgumentException if {@code tokens <= 0} or {@code tokens > burst}
     */
    @Override
    public Mono<Duration> estimatedWait(int tokens) {
        checkTokens(tokens);
        return Mono.fromSupplier(() -> estimatedWaitNow(tokens));
    }

    /**
     * The burst this bucket was built with.
     *
     * @return the maximum number of tokens available at once
     */
    public int burst() {
        return burst;
    }

    /**
     * The number of subscribers waiting for tokens right now (a snapshot).
     *
     * @return waiting subscribers
     */
    public int waiting() {
        return waiting;
    }

    @Override
    public String toString() {
        return "TokenBucket[rate=" + rateTokens + "/" + ratePer + ", burst=" + burst + ", waiting=" + waiting + "]";
    }

    void checkTokens(int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens > 0 required but it was " + tokens);
        }
        if (tokens > burst) {
            throw new IllegalArgumentException("tokens <= " + burst + " (the burst) required but it was " + tokens);
        }
    }

    long now() {
        return (scheduler.now(TimeUnit.NANOSECONDS) - origin) * scale;
    }

    /**
     * {@code max(TAT, now)}, wrap-safe, except that a {@code TAT} less than one nanosecond behind {@code now} is
     * kept: timers fire on whole nanoseconds, so a waiter granted at the first nanosecond after its exact slot must
     * not lose the fraction, or tokens would drift late by up to a nanosecond each.
     */
    long base(long t, long now) {
        long d = t - now;
        return d > -scale && d <= WRAP_GUARD ? t : now;
    }

    static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }

    /**
     * Takes {@code n} tokens if they conform at {@code now}.
     *
     * @return 0 if taken, otherwise how many time units until they would conform
     */
    long take(int n, long now) {
        long need = n * cost;
        for (;;) {
            long t = tat;
            long nt = base(t, now) + need;
            long over = nt - now - capacity;
            if (over > 0) {
                return over;
            }
            if (TAT.compareAndSet(this, t, nt)) {
                return 0;
            }
        }
    }

    private void enqueue(BucketWaiter w) {
        synchronized (lock) {
            if (w.isCancelled()) {
                return;
            }
            BucketWaiter t = tail;
            w.prev = t;
            if (t == null) {
                head = w;
            } else {
                t.next = w;
            }
            tail = w;
            w.queued = true;
            waiting = waiting + 1;
            queuedTokens = queuedTokens + w.tokens;
        }
        drain();
    }

    void remove(BucketWaiter w) {
        boolean wasHead;
        synchronized (lock) {
            if (!w.queued) {
                return;
            }
            wasHead = w == head;
            unlink(w);
        }
        if (wasHead) {
            // The next waiter moves up into the cancelled one's slot: re-time the head.
            drain();
        }
    }

    private void unlink(BucketWaiter w) {
        BucketWaiter p = w.prev;
        BucketWaiter n = w.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        w.prev = null;
        w.next = null;
        w.queued = false;
        waiting = waiting - 1;
        queuedTokens = queuedTokens - w.tokens;
    }

    void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            for (;;) {
                BucketWaiter granted = null;
                BucketWaiter blocked = null;
                long wait = 0;
                synchronized (lock) {
                    BucketWaiter w = head;
                    if (w == null) {
                        break;
                    }
                    if (w.isCancelled()) {
                        unlink(w);
                        continue;
                    }
                    long now = now();
                    long need = w.tokens * cost;
                    for (;;) {
                        long t = tat;
                        long nt = base(t, now) + need;
                        long over = nt - now - capacity;
                        if (over > 0) {
                            blocked = w;
                            wait = over;
                            break;
                        }
                        if (TAT.compareAndSet(this, t, nt)) {
                            unlink(w);
                            if (w.markGranted()) {
                                granted = w;
                            } else {
                                // Cancelled a moment ago: undo the grant unless someone took tokens since.
                                TAT.compareAndSet(this, nt, t);
                            }
                            break;
                        }
                    }
                }
                if (granted != null) {
                    LimitListeners.granted(listener, granted.tokens, granted.queuedAt, scheduler);
                    granted.complete();
                } else if (blocked != null) {
                    if (!armTimer(blocked, ceilDiv(wait, scale))) {
                        continue;
                    }
                    break;
                }
            }
            HeadTimer t = timer;
            if (waiting == 0 && t != null) {
                timer = null;
                t.dispose();
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /**
     * Makes sure a timer will drain when {@code head} conforms.
     *
     * @return {@code false} if the scheduler refused (the head was failed and removed)
     */
    private boolean armTimer(BucketWaiter head, long delayNanos) {
        HeadTimer current = timer;
        if (current != null && current.waiter == head && !current.fired) {
            return true;
        }
        if (current != null) {
            current.dispose();
        }
        HeadTimer next = new HeadTimer(this, head);
        timer = next;
        try {
            next.task = scheduler.schedule(next, delayNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            timer = null;
            synchronized (lock) {
                if (head.queued) {
                    unlink(head);
                }
            }
            head.fail(e);
            return false;
        }
    }

    /** The timer for the current head; drains when it fires. */
    static final class HeadTimer implements Runnable {
        final TokenBucket bucket;
        final BucketWaiter waiter;
        volatile boolean fired;
        volatile @Nullable Disposable task;

        HeadTimer(TokenBucket bucket, BucketWaiter waiter) {
            this.bucket = bucket;
            this.waiter = waiter;
        }

        @Override
        public void run() {
            fired = true;
            bucket.drain();
        }

        void dispose() {
            Disposable d = task;
            if (d != null) {
                d.dispose();
            }
        }
    }

    /**
     * Builds a {@link TokenBucket}. Reusable: every {@link #build()} returns a new, independent bucket. Not
     * thread-safe.
     */
    public static final class Builder {

        private long tokens;
        private @Nullable Duration per;
        private long perNanos;
        private int burst = DEFAULT_BURST;
        private boolean initiallyFull = DEFAULT_INITIALLY_FULL;
        private @Nullable Scheduler scheduler;
        private @Nullable TokenBucketListener listener;

        Builder() {
        }

        /**
         * Sets the refill rate: {@code tokens} tokens per {@code per}. Required.
         *
         * @param tokens tokens per period, {@code > 0}
         * @param per the period, positive and at most about 292 years
         * @return this builder
         * @throws NullPointerException if {@code per} is null
         * @throws IllegalArgumentException if {@code tokens <= 0} or {@code per} is not positive
         */
        public Builder rate(long tokens, Duration per) {
            Objects.requireNonNull(per, "per");
            if (tokens <= 0) {
                throw new IllegalArgumentException("tokens > 0 required but it was " + tokens);
            }
            if (per.isNegative() || per.isZero()) {
                throw new IllegalArgumentException("per > 0 required but it was " + per);
            }
            long nanos;
            try {
                nanos = per.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("per <= 292 years required but it was " + per, e);
            }
            this.tokens = tokens;
            this.per = per;
            this.perNanos = nanos;
            return this;
        }

        /**
         * Sets the burst: how many tokens can be taken at once, and the largest {@code acquire(n)}.
         *
         * @param burst the capacity, {@code > 0}; default {@link #DEFAULT_BURST}
         * @return this builder
         * @throws IllegalArgumentException if {@code burst <= 0}
         */
        public Builder burst(int burst) {
            if (burst <= 0) {
                throw new IllegalArgumentException("burst > 0 required but it was " + burst);
            }
            this.burst = burst;
            return this;
        }

        /**
         * Whether the bucket starts full ({@code burst} tokens available at once) or empty (the first token after
         * one interval).
         *
         * @param initiallyFull {@code true} to start full; default {@link #DEFAULT_INITIALLY_FULL}
         * @return this builder
         */
        public Builder initiallyFull(boolean initiallyFull) {
            this.initiallyFull = initiallyFull;
            return this;
        }

        /**
         * Sets the scheduler whose clock ({@code now(NANOSECONDS)}) measures time and whose timer wakes waiters.
         * With {@code StepVerifier.withVirtualTime}, build the bucket inside the supplier (the default then is the
         * virtual scheduler) or pass the {@code VirtualTimeScheduler} here. Note that Reactor's built-in schedulers
         * derive {@code now} from {@code System.currentTimeMillis()}: millisecond resolution (a waiter may be woken up
         * to a millisecond late, never early), and a wall-clock step backwards delays grants by the size of the step.
         *
         * @param scheduler the clock and timer; default {@code Schedulers.parallel()}, read at {@link #build()}
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets a listener told of every grant and pause (for metrics), called outside the bucket's lock; see
         * {@link TokenBucketListener}. Replaces the listener of an earlier call.
         *
         * @param listener the listener; default none
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder listener(TokenBucketListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Creates a bucket; its clock starts now.
         *
         * @return a new bucket
         * @throws IllegalStateException if no rate was set
         * @throws IllegalArgumentException if {@code burst} intervals do not fit in about 73 years of nanoseconds
         */
        public TokenBucket build() {
            if (per == null) {
                throw new IllegalStateException("rate(tokens, per) is required");
            }
            return new TokenBucket(this);
        }
    }
}
