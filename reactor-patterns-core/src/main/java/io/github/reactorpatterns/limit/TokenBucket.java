package io.github.reactorpatterns.limit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A non-blocking token-bucket rate limiter: at most {@code burst} tokens at once, refilled at {@code rate}; the
 * reactive form of the {@code TokenBucket(rate, burst)} that asyncio programs write around {@code asyncio.sleep}.
 * Reactor has no time-based limiter: {@code limitRate} only shapes demand.
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
 * arithmetic on the clock of the {@link Builder#scheduler(Scheduler) scheduler} (by default
 * {@code Schedulers.parallel()}, looked up at each use), so {@code StepVerifier.withVirtualTime} tests it to the
 * nanosecond, even for a bucket built before the virtual clock was installed. With a rate whose interval is not a
 * whole number of nanoseconds (such as 3 per second) the {@code k}-th token of a continuous demand is granted at
 * exactly {@code ceil(k × interval)}, and the window bound holds to the clock's resolution.
 *
 * <p><b>Waiting.</b> Waiters are served first come, first served; while anybody waits, {@link #tryAcquireNow(int)}
 * and a new {@code acquire} take nothing, so nobody overtakes the queue. A waiter that cancels leaves the queue at
 * once and the waiters behind it move up into its slot: a cancelled reservation is never lost. A grant that races a
 * cancel is undone unless another grant happened in between, in which case the token counts as spent: the limit is
 * never exceeded.
 *
 * <p>Nothing blocks: the queue is guarded by a short lock never held while user code runs, timers come from the
 * scheduler, and grants run in a trampolined drain loop. Instances are thread-safe.
 */
public final class TokenBucket implements RateLimiter {

    /*
     * Design. The bucket is a GCRA (generic cell rate algorithm, "virtual scheduling", see Gcra): its only state for
     * granting is the theoretical arrival time TAT in one AtomicLong, so tryAcquireNow is one CAS. Time is counted on
     * the bucket's own time line (nanoseconds since it was built, see Clock) in units of 1/q ns where the interval is
     * p/q ns in lowest terms.
     *
     * Waiting callers are where a plain GCRA is not enough: if each waiter reserved its slot by pushing TAT forward, a
     * waiter that cancels could not give its slot back, because the slots after it are already fixed (the flaw of
     * Resilience4j's AtomicRateLimiter). So TAT counts only tokens actually granted, and waiters form an explicit
     * FIFO (WaiterQueue). Only the head has a timer, set for the instant it will conform; when it fires, the drain
     * loop grants as many waiters from the head as conform and sets the timer for the new head. A head that cancels
     * makes the next waiter the head, timed from the unchanged TAT.
     */

    /** Default burst: one token, so tokens are spaced evenly at the rate. */
    public static final int DEFAULT_BURST = 1;

    /** Default initial state: full, so {@code burst} tokens can be taken at once right after creation. */
    public static final boolean DEFAULT_INITIALLY_FULL = true;

    /** The longest {@link #pause(Duration)}: one day. */
    public static final Duration MAX_PAUSE = Duration.ofDays(1);

    /** The scheduler given to the builder, or null: then {@code Schedulers.parallel()} is looked up at each use. */
    private final @Nullable Scheduler fixedScheduler;

    final Gcra gcra;
    private final int burst;
    private final long rateTokens;
    private final Duration ratePer;
    private final @Nullable TokenBucketListener listener;

    /** The clock in use and how it maps onto the bucket's time line; replaced when the default scheduler changes. */
    volatile Clock clock;

    static final AtomicReferenceFieldUpdater<TokenBucket, Clock> CLOCK =
            AtomicReferenceFieldUpdater.newUpdater(TokenBucket.class, Clock.class, "clock");

    volatile long tat;
    static final AtomicLongFieldUpdater<TokenBucket> TAT = AtomicLongFieldUpdater.newUpdater(TokenBucket.class, "tat");

    volatile int wip;
    static final AtomicIntegerFieldUpdater<TokenBucket> WIP =
            AtomicIntegerFieldUpdater.newUpdater(TokenBucket.class, "wip");

    private final Object lock = new Object();
    /** The waiters, guarded by {@link #lock}; each waiter's weight is its number of tokens. */
    private final WaiterQueue<BucketWaiter> queue = new WaiterQueue<>();
    /** The head's timer; only touched by the drain loop. */
    private @Nullable HeadTimer timer;

    private TokenBucket(Builder b) {
        this.fixedScheduler = b.scheduler;
        this.burst = b.burst;
        this.rateTokens = b.tokens;
        this.ratePer = Objects.requireNonNull(b.per);
        this.listener = b.listener;
        this.gcra = Gcra.of(b.tokens, b.per, b.perNanos, b.burst);
        Scheduler s = fixedScheduler != null ? fixedScheduler : Schedulers.parallel();
        // The bucket's time line starts at 0 now: TAT <= now is a full bucket, TAT = now + capacity an empty one.
        this.clock = new Clock(s, s.now(TimeUnit.NANOSECONDS));
        this.tat = gcra.initialTat(b.initiallyFull);
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
        return MonoBucketAcquire.create(this, tokens);
    }

    /** Called once per subscription to {@link #acquire(int)}, after {@code onSubscribe}. */
    void acquire(BucketWaiter w) {
        if (queue.size() == 0) {
            Gcra g = gcra;
            long now = now();
            for (; ; ) {
                long t = tat;
                long nt = g.next(t, now, w.weight);
                if (g.excess(nt, now) > 0) {
                    break;
                }
                if (TAT.compareAndSet(this, t, nt)) {
                    if (w.markGranted()) {
                        LimitListeners.grantedNow(listener, w.weight);
                        w.complete();
                    } else {
                        TAT.compareAndSet(this, nt, t); // cancelled meanwhile: undo unless someone took since
                    }
                    return;
                }
            }
        }
        if (listener != null) {
            w.queuedAt = LimitListeners.queuedAt(listener, clock().scheduler);
        }
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
        if (queue.size() == 0 && take(tokens, now()) == 0) {
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
        long wait = gcra.waitNanos(tat, now(), queue.weight(), tokens);
        return wait == 0 ? Duration.ZERO : Duration.ofNanos(wait);
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
        return source -> FluxThrottle.create(source, this);
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
        long target = gcra.pausedTat(now, pauseNanos);
        for (; ; ) {
            long t = tat;
            if (gcra.holdsUntil(t, target, now)) {
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
        return queue.size();
    }

    @Override
    public String toString() {
        return "TokenBucket[rate=" + rateTokens + "/" + ratePer + ", burst=" + burst + ", waiting=" + queue.size()
                + "]";
    }

    void checkTokens(int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens > 0 required but it was " + tokens);
        }
        if (tokens > burst) {
            throw new IllegalArgumentException("tokens <= " + burst + " (the burst) required but it was " + tokens);
        }
    }

    /**
     * The current time on the bucket's time line, in the units of {@link #gcra}. With an explicit scheduler its clock
     * is used throughout; otherwise {@code Schedulers.parallel()} is looked up at each use, so a bucket built before
     * {@code StepVerifier.withVirtualTime} follows the virtual clock while it is installed.
     */
    long now() {
        return gcra.units(clock().nanos());
    }

    /**
     * The clock to use now. When the default scheduler has changed since the last use (a {@code VirtualTimeScheduler}
     * was installed or removed), the bucket's time line carries on from where it was, at the pace of the new clock:
     * {@code TAT} keeps its meaning, so the tokens and the backlog are the same before and after the switch.
     */
    Clock clock() {
        Clock c = clock;
        if (fixedScheduler != null) {
            return c;
        }
        Scheduler s = Schedulers.parallel();
        return c.scheduler == s ? c : switchClock(c, s);
    }

    private Clock switchClock(Clock current, Scheduler s) {
        for (; ; ) {
            long bucketNanos = current.nanos();
            Clock next = new Clock(s, s.now(TimeUnit.NANOSECONDS) - bucketNanos);
            if (CLOCK.compareAndSet(this, current, next)) {
                return next;
            }
            current = clock;
            if (current.scheduler == s) {
                return current;
            }
        }
    }

    /**
     * Takes {@code n} tokens if they conform at {@code now}.
     *
     * @return 0 if taken, otherwise how many time units until they would conform
     */
    long take(int n, long now) {
        Gcra g = gcra;
        for (; ; ) {
            long t = tat;
            long nt = g.next(t, now, n);
            long over = g.excess(nt, now);
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
            queue.link(w);
        }
        drain();
    }

    void remove(BucketWaiter w) {
        int removed;
        synchronized (lock) {
            removed = queue.remove(w);
        }
        if (removed == WaiterQueue.REMOVED_HEAD) {
            // The next waiter moves up into the cancelled one's slot: re-time the head.
            drain();
        }
    }

    void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (; ; ) {
            for (; ; ) {
                BucketWaiter granted = null;
                BucketWaiter blocked = null;
                long wait = 0;
                synchronized (lock) {
                    BucketWaiter w = queue.head();
                    if (w == null) {
                        break;
                    }
                    if (w.isCancelled()) {
                        queue.unlink(w);
                        continue;
                    }
                    Gcra g = gcra;
                    long now = now();
                    for (; ; ) {
                        long t = tat;
                        long nt = g.next(t, now, w.weight);
                        long over = g.excess(nt, now);
                        if (over > 0) {
                            blocked = w;
                            wait = over;
                            break;
                        }
                        if (TAT.compareAndSet(this, t, nt)) {
                            queue.unlink(w);
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
                    if (listener != null) {
                        LimitListeners.granted(listener, granted.weight, granted.queuedAt, clock().scheduler);
                    }
                    granted.complete();
                } else if (blocked != null) {
                    if (!armTimer(blocked, gcra.toNanosCeil(wait))) {
                        continue;
                    }
                    break;
                }
            }
            HeadTimer t = timer;
            if (queue.size() == 0 && t != null) {
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
            next.task = clock().scheduler.schedule(next, delayNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            timer = null;
            synchronized (lock) {
                queue.remove(head);
            }
            head.fail(e);
            return false;
        }
    }

    /**
     * A scheduler and the offset that maps its clock onto the bucket's time line, which starts at 0 when the bucket
     * is built and is never reset.
     */
    static final class Clock {
        final Scheduler scheduler;
        final long offset;

        Clock(Scheduler scheduler, long offset) {
            this.scheduler = scheduler;
            this.offset = offset;
        }

        /** Nanoseconds since the bucket was built, on this clock. */
        long nanos() {
            return scheduler.now(TimeUnit.NANOSECONDS) - offset;
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

        Builder() {}

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
         * Sets the scheduler whose clock ({@code now(NANOSECONDS)}) measures time and whose timer wakes waiters, for
         * the bucket's whole life. Without it the bucket uses {@code Schedulers.parallel()}, looked up at each use:
         * a bucket built once (a singleton) follows {@code StepVerifier.withVirtualTime} while the virtual scheduler
         * is installed, and its state carries over when the clock changes (tokens taken or owed stay taken or owed;
         * time passes at the pace of the clock in use). Note that Reactor's built-in schedulers
         * derive {@code now} from {@code System.currentTimeMillis()}: millisecond resolution (a waiter may be woken up
         * to a millisecond late, never early), and a wall-clock step backwards delays grants by the size of the step.
         *
         * @param scheduler the clock and timer; default {@code Schedulers.parallel()}, looked up at each use
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
