package io.github.reactorpatterns.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.github.reactorpatterns.limit.RateLimiter;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A token bucket shared by every process that uses the same Redis and name: "10 requests per second to the partner
 * API" holds for the whole fleet, not per JVM. A drop-in {@link RateLimiter}: code written for the local
 * {@link io.github.reactorpatterns.limit.TokenBucket} works unchanged.
 *
 * <p>How it works: the bucket is the generic cell rate algorithm (GCRA) in one Lua script, which keeps one value
 * per bucket (its theoretical arrival time) under the key {@code {name}:bucket}, with a time to live of about one
 * burst interval, and reads the clock from the Redis server ({@code TIME}), never from a client, so clients with
 * skewed clocks still share one rate. The script answers "granted" or "retry after N microseconds"; a waiting
 * {@link #acquire(int)} then sleeps that long on this bucket's {@link Scheduler} and asks again: no polling loop.
 * Waiters of one process queue first come, first served and only the head of the queue asks Redis; a cancelled
 * waiter leaves at once (tokens granted to it in a race with the cancel are given back). Across processes the
 * order is the order in which their requests reach Redis.
 *
 * <p>{@link #pause(Duration)} holds back every instance of the bucket, in every process: the fleet-wide reaction to
 * one {@code 429 Too Many Requests} with a {@code Retry-After}. Rates below one per second and fractional rates (2.5
 * per second: {@code rate(5, Duration.ofSeconds(2))}) work.
 *
 * <p>When Redis cannot be reached within {@link Builder#timeout(Duration) the timeout}, the bucket does what it was
 * built to do, and reports each such decision to {@link Builder#onFailure(Consumer) its listener}:
 * {@link Builder#failClosed() fail closed} (the default: {@code acquire} fails with
 * {@link RedisUnavailableException}, {@code tryAcquire} answers {@code false}) or {@link Builder#failOpen() fail
 * open} (every call is let through, unlimited). A key that holds another kind of value fails with
 * {@link RedisKeyTypeException}.
 *
 * <p>Signals are delivered on this bucket's scheduler, never on Lettuce's event loop. The bucket does not own the
 * connection; it is thread-safe.
 */
public final class RedisTokenBucket implements RateLimiter {

    /** The default burst: 1 token. */
    public static final int DEFAULT_BURST = 1;

    /** The default time each call waits for Redis before it counts as unreachable: 1 second. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    /** The longest pause accepted by {@link #pause(Duration)}: one day. */
    public static final Duration MAX_PAUSE = Duration.ofDays(1);

    /*
     * KEYS[1] the bucket's state: its theoretical arrival time (TAT) in microseconds of Redis time.
     * ARGV[1] mode: a = acquire, p = peek (estimated wait), z = pause, r = refund
     * ARGV[2] emission interval in microseconds (may be fractional), ARGV[3] burst, ARGV[4] tokens (pause: micros)
     * Reply: {1, now} granted at Redis time now, or {0, micros} retry after micros.
     */
    static final String SCRIPT = String.join(
            "\n",
            "if redis.replicate_commands then pcall(redis.replicate_commands) end",
            "local kind = redis.call('TYPE', KEYS[1])['ok']",
            "if kind ~= 'none' and kind ~= 'string' then",
            "  return redis.error_reply('WRONGTYPE ' .. KEYS[1] .. ' holds a ' .. kind .. ', not a token bucket')",
            "end",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "local interval = tonumber(ARGV[2])",
            "local burst = tonumber(ARGV[3])",
            "local n = tonumber(ARGV[4])",
            "local stored = redis.call('GET', KEYS[1])",
            "local tat = now",
            "if stored then",
            "  tat = tonumber(stored)",
            "  if not tat then",
            "    return redis.error_reply('WRONGTYPE ' .. KEYS[1] .. ' holds a string that is not a token bucket')",
            "  end",
            "  if tat < now then tat = now end",
            "end",
            "local function store(v)",
            "  local ttl = math.ceil((v - now) / 1000)",
            "  if ttl > 0 then",
            "    redis.call('SET', KEYS[1], string.format('%.3f', v), 'PX', ttl)",
            "  else",
            "    redis.call('DEL', KEYS[1])",
            "  end",
            "end",
            "local mode = ARGV[1]",
            "if mode == 'z' then",
            "  local v = now + n + (burst - 1) * interval",
            "  if v > tat then store(v) end",
            "  return {1, now}",
            "end",
            "if mode == 'r' then",
            "  store(tat - n * interval)",
            "  return {1, now}",
            "end",
            "local new = tat + n * interval",
            "local wait = new - now - burst * interval",
            "if wait <= 0 then",
            "  if mode == 'a' then store(new) end",
            "  return {1, now}",
            "end",
            "return {0, math.ceil(wait)}");

    private static final RedisScript LUA = new RedisScript(SCRIPT);

    private final RedisReactiveCommands<String, String> commands;
    private final String name;
    private final String[] keys;
    private final String intervalMicros;
    private final double interval;
    private final String burstArg;
    private final int burst;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final boolean failOpen;
    private final @Nullable Consumer<RedisFailure> onFailure;
    private final RedisCalls calls;

    private final Object lock = new Object();
    /** Local waiters, first come first served; the head is the only one that asks Redis. Guarded by lock. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** The head while it asks or sleeps; guarded by lock. */
    private @Nullable Waiter active;

    private RedisTokenBucket(Builder b) {
        this.commands = b.connection.reactive();
        this.name = b.name;
        this.keys = new String[] {key(b.name)};
        this.interval = (double) b.perNanos / 1000.0 / b.tokens;
        this.intervalMicros = Double.toString(interval);
        this.burst = b.burst;
        this.burstArg = Integer.toString(b.burst);
        this.scheduler = b.scheduler != null ? b.scheduler : Schedulers.parallel();
        this.timeout = b.timeout;
        this.failOpen = b.failOpen;
        this.onFailure = b.onFailure;
        this.calls = new RedisCalls(scheduler, timeout);
    }

    /**
     * Starts building a bucket named {@code name} on {@code connection}. Every bucket with the same name on the same
     * Redis shares one state; give buckets with different rates different names.
     *
     * @param connection the Lettuce connection to use (not closed by the bucket)
     * @param name the bucket's name, not empty; its key is {@code {name}:bucket}
     * @return a new builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static Builder builder(StatefulRedisConnection<String, String> connection, String name) {
        return new Builder(connection, name);
    }

    /**
     * The Redis key that holds the state of the bucket named {@code name}.
     *
     * @param name the bucket's name
     * @return {@code {name}:bucket}
     * @throws NullPointerException if {@code name} is null
     */
    public static String key(String name) {
        return "{" + Objects.requireNonNull(name, "name") + "}:bucket";
    }

    /**
     * Takes {@code tokens} tokens, waiting (without blocking a thread) until Redis grants them. Waiters of this
     * process are served in order of subscription; cancelling leaves the queue at once.
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} that completes empty once the tokens are granted; it fails with
     *         {@link RedisUnavailableException} when Redis cannot be reached and the bucket fails closed, or with
     *         {@link RedisKeyTypeException}
     * @throws IllegalArgumentException if {@code tokens} is out of range
     */
    @Override
    public Mono<Void> acquire(int tokens) {
        return acquireStamped(tokens).then();
    }

    /** Same as {@link #acquire(int)}, emitting the Redis time (µs) of the grant, or -1 for a grant by fail-open. */
    Mono<Long> acquireStamped(int tokens) {
        checkTokens(tokens);
        return Mono.create(sink -> {
            Waiter w = new Waiter(sink, tokens);
            sink.onCancel(() -> cancel(w));
            synchronized (lock) {
                if (w.cancelled) {
                    return;
                }
                queue.addLast(w);
            }
            next();
        });
    }

    /**
     * Takes {@code tokens} tokens if Redis grants them now; never waits and never overtakes this process's waiters
     * (answers {@code false} while any wait).
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} of {@code true} if the tokens were taken; when Redis cannot be reached, {@code true}
     *         if the bucket fails open and {@code false} if it fails closed
     * @throws IllegalArgumentException if {@code tokens} is out of range
     */
    @Override
    public Mono<Boolean> tryAcquire(int tokens) {
        checkTokens(tokens);
        return Mono.create(sink -> {
            synchronized (lock) {
                if (!queue.isEmpty()) {
                    reply(sink, false);
                    return;
                }
            }
            sink.onCancel(call("a", tokens, (r, e) -> {
                if (r != null) {
                    reply(sink, r[0] == 1);
                } else if (RedisErrors.isUnavailable(e)) {
                    reply(sink, decide("tryAcquire", e));
                } else {
                    fail(sink, e);
                }
            }));
        });
    }

    /**
     * Holds back every user of this bucket, in every process, for {@code pause}: nothing is granted until it ends,
     * then tokens flow at the rate again (one token at the end of the pause). A pause never shortens a longer one.
     *
     * @param pause how long to grant nothing; zero does nothing
     * @return a {@code Mono} that completes once the pause is stored in Redis; when Redis cannot be reached it fails
     *         with {@link RedisUnavailableException} if the bucket fails closed and completes if it fails open
     * @throws NullPointerException if {@code pause} is null
     * @throws IllegalArgumentException if {@code pause} is negative or longer than {@link #MAX_PAUSE}
     */
    @Override
    public Mono<Void> pause(Duration pause) {
        Objects.requireNonNull(pause, "pause");
        if (pause.isNegative()) {
            throw new IllegalArgumentException("pause >= 0 required but it was " + pause);
        }
        if (pause.compareTo(MAX_PAUSE) > 0) {
            throw new IllegalArgumentException("pause <= " + MAX_PAUSE + " required but it was " + pause);
        }
        if (pause.isZero()) {
            return Mono.empty();
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(pause.toNanos());
        return Mono.<Void>create(sink -> sink.onCancel(call("z", micros, (r, e) -> {
            if (r != null || (RedisErrors.isUnavailable(e) && decide("pause", e))) {
                calls.deliver(sink::success);
            } else {
                fail(sink, e);
            }
        })));
    }

    /**
     * How long an {@code acquire(tokens)} subscribed now would wait: Redis's answer for the tokens already queued in
     * this process plus {@code tokens} (a snapshot; other processes may take tokens meanwhile).
     *
     * @param tokens how many tokens, {@code 1..burst}
     * @return a {@code Mono} of the wait, {@link Duration#ZERO} if the tokens are available now; when Redis cannot be
     *         reached, zero if the bucket fails open, else a {@link RedisUnavailableException}
     * @throws IllegalArgumentException if {@code tokens} is out of range
     */
    @Override
    public Mono<Duration> estimatedWait(int tokens) {
        checkTokens(tokens);
        return Mono.create(sink -> {
            long queued = tokens;
            synchronized (lock) {
                for (Waiter w : queue) {
                    queued += w.tokens;
                }
            }
            sink.onCancel(call("p", queued, (r, e) -> {
                if (r != null) {
                    reply(sink, r[0] == 1 ? Duration.ZERO : Duration.ofNanos(r[1] * 1000L));
                } else if (RedisErrors.isUnavailable(e) && decide("estimatedWait", e)) {
                    reply(sink, Duration.ZERO);
                } else {
                    fail(sink, e);
                }
            }));
        });
    }

    /**
     * The largest number of tokens one call can take.
     *
     * @return the burst
     */
    public int burst() {
        return burst;
    }

    /**
     * How many subscribers of this process wait for tokens now.
     *
     * @return the number of waiters, including the one asking Redis (a cancelled waiter is not counted, even while
     *         its last request is in flight)
     */
    public int waiting() {
        synchronized (lock) {
            int n = 0;
            for (Waiter w : queue) {
                if (!w.cancelled) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * The bucket's name.
     *
     * @return the name given to the builder
     */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "RedisTokenBucket[" + keys[0] + ", interval " + intervalMicros + " µs, burst " + burst
                + (failOpen ? ", fails open" : ", fails closed") + ", waiting " + waiting() + "]";
    }

    private void checkTokens(int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens > 0 required but it was " + tokens);
        }
        if (tokens > burst) {
            throw new IllegalArgumentException("tokens <= burst (" + burst + ") required but it was " + tokens);
        }
    }

    /**
     * Runs the script once, bounded by the timeout; {@code done} gets the reply {@code {granted, micros}} or the
     * error, on the thread that saw it (Lettuce's event loop or the timer), never both.
     */
    private Disposable call(String mode, long amount, BiConsumer<long @Nullable [], Throwable> done) {
        return calls.<List<Long>>run(
                LUA.run(commands, ScriptOutputType.MULTI, keys, mode, intervalMicros, burstArg, Long.toString(amount)),
                (r, e) -> {
                    if (r != null && r.size() == 2) {
                        done.accept(new long[] {r.get(0), r.get(1)}, null);
                    } else {
                        done.accept(null, e != null ? e : new IllegalStateException("unexpected reply " + r));
                    }
                });
    }

    private <T> void reply(MonoSink<T> sink, T value) {
        calls.deliver(() -> sink.success(value));
    }

    private void fail(MonoSink<?> sink, Throwable error) {
        Throwable e = RedisErrors.translate(keys[0], error);
        calls.deliver(() -> sink.error(e));
    }

    /** Reports a decision taken without Redis; returns whether the call is let through. */
    private boolean decide(String operation, Throwable error) {
        Consumer<RedisFailure> listener = onFailure;
        if (listener != null) {
            try {
                listener.accept(new RedisFailure(keys[0], operation, failOpen, error));
            } catch (RuntimeException ignored) {
                // a failing listener must not change the decision
            }
        }
        return failOpen;
    }

    /** Lets the head of the queue ask Redis, unless it is already asking or sleeping. */
    private void next() {
        Waiter w;
        synchronized (lock) {
            if (active != null) {
                return;
            }
            w = queue.peekFirst();
            if (w == null) {
                return;
            }
            active = w;
        }
        ask(w);
    }

    private void ask(Waiter w) {
        call("a", w.tokens, (r, e) -> {
            if (r != null) {
                answered(w, r);
            } else {
                failed(w, e);
            }
        });
    }

    private void answered(Waiter w, long[] reply) {
        if (reply[0] == 1) {
            boolean cancelled;
            synchronized (lock) {
                queue.pollFirst();
                active = null;
                cancelled = w.cancelled;
                w.done = true;
            }
            if (cancelled) {
                // granted in a race with the cancel: give the tokens back to the next caller
                call("r", w.tokens, (r, e) -> {});
            } else {
                deliver(() -> w.sink.success(reply[1]));
            }
            next();
            return;
        }
        synchronized (lock) {
            if (!w.cancelled) {
                w.sleeping = true;
                w.timer = scheduleQuietly(() -> wake(w), reply[1]);
                return;
            }
            queue.pollFirst();
            active = null;
        }
        next();
    }

    private void wake(Waiter w) {
        synchronized (lock) {
            if (!w.sleeping) {
                return;
            }
            w.sleeping = false;
            w.timer = null;
        }
        ask(w);
    }

    private void failed(Waiter w, Throwable error) {
        boolean cancelled;
        synchronized (lock) {
            queue.pollFirst();
            active = null;
            cancelled = w.cancelled;
            w.done = true;
        }
        if (!cancelled) {
            if (RedisErrors.isUnavailable(error) && decide("acquire", error)) {
                deliver(() -> w.sink.success(-1L));
            } else {
                Throwable e = RedisErrors.translate(keys[0], error);
                deliver(() -> w.sink.error(e));
            }
        }
        next();
    }

    private void cancel(Waiter w) {
        Disposable timer = null;
        synchronized (lock) {
            if (w.done || w.cancelled) {
                return;
            }
            w.cancelled = true;
            if (active != w) {
                queue.remove(w);
                return;
            }
            if (!w.sleeping) {
                return; // its request is in flight: the answer finishes it
            }
            w.sleeping = false;
            timer = w.timer;
            w.timer = null;
            queue.pollFirst();
            active = null;
        }
        if (timer != null) {
            timer.dispose();
        }
        next();
    }

    private void deliver(Runnable signal) {
        calls.deliver(signal);
    }

    private @Nullable Disposable scheduleQuietly(Runnable task, long micros) {
        try {
            return scheduler.schedule(task, Math.max(1, micros), TimeUnit.MICROSECONDS);
        } catch (RuntimeException rejected) {
            return null;
        }
    }

    private static final class Waiter {
        final MonoSink<Long> sink;
        final int tokens;
        boolean cancelled;
        boolean done;
        boolean sleeping;

        @Nullable
        Disposable timer;

        Waiter(MonoSink<Long> sink, int tokens) {
            this.sink = sink;
            this.tokens = tokens;
        }
    }

    /**
     * Builds a {@link RedisTokenBucket}. Reusable: every {@link #build()} returns a new bucket (buckets with the
     * same name share their state in Redis). Not thread-safe.
     */
    public static final class Builder {

        private final StatefulRedisConnection<String, String> connection;
        private final String name;
        private long tokens;
        private long perNanos;
        private int burst = DEFAULT_BURST;
        private @Nullable Scheduler scheduler;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean failOpen;
        private @Nullable Consumer<RedisFailure> onFailure;

        Builder(StatefulRedisConnection<String, String> connection, String name) {
            this.connection = Objects.requireNonNull(connection, "connection");
            this.name = Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name must not be empty");
            }
        }

        /**
         * Sets the rate: {@code tokens} tokens per {@code per}, for example {@code rate(1, Duration.ofSeconds(3))}
         * for one every three seconds. Required.
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
            try {
                this.perNanos = per.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("per <= 292 years required but it was " + per, e);
            }
            this.tokens = tokens;
            return this;
        }

        /**
         * Sets the rate in tokens per second, fractions allowed ({@code 2.5}, {@code 0.2}). Required unless
         * {@link #rate(long, Duration)} is used.
         *
         * @param perSecond tokens per second, {@code > 0} and finite
         * @return this builder
         * @throws IllegalArgumentException if {@code perSecond} is not a positive finite number
         */
        public Builder ratePerSecond(double perSecond) {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("perSecond > 0 required but it was " + perSecond);
            }
            this.tokens = 1;
            this.perNanos = Math.max(1, Math.round(1_000_000_000d / perSecond));
            return this;
        }

        /**
         * Sets the burst: how many tokens can be taken at once after the bucket was idle, and the largest
         * {@code acquire(n)}.
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
         * Sets the scheduler whose timer wakes waiters, times Redis calls out and delivers every signal.
         *
         * @param scheduler the timer; default {@code Schedulers.parallel()}
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets how long one call waits for Redis before Redis counts as unreachable.
         *
         * @param timeout positive; default {@link #DEFAULT_TIMEOUT}
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout > 0 required but it was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * When Redis cannot be reached, let every call through (unlimited) until it can again. Choose it when an
         * unlimited rate is safer than none, for example for a limit that only smooths load.
         *
         * @return this builder
         */
        public Builder failOpen() {
            this.failOpen = true;
            return this;
        }

        /**
         * When Redis cannot be reached, refuse: {@code acquire} fails with {@link RedisUnavailableException} and
         * {@code tryAcquire} answers {@code false}. The default.
         *
         * @return this builder
         */
        public Builder failClosed() {
            this.failOpen = false;
            return this;
        }

        /**
         * Sets the listener told about each decision taken because Redis could not be reached. It runs on the thread
         * that saw the failure and must not block; what it throws is ignored.
         *
         * @param listener the listener; default none
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder onFailure(Consumer<RedisFailure> listener) {
            this.onFailure = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Creates the bucket. Nothing is sent to Redis until the first call.
         *
         * @return a new bucket
         * @throws IllegalStateException if no rate was set
         */
        public RedisTokenBucket build() {
            if (tokens == 0) {
                throw new IllegalStateException("rate(tokens, per) or ratePerSecond(rate) is required");
            }
            return new RedisTokenBucket(this);
        }
    }
}
