package io.github.reactorpatterns.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.limit.PermitSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A semaphore of N permits shared by every process that uses the same Redis and name: "at most 20 report jobs at
 * once" holds for the whole fleet. A drop-in {@link PermitSource}: code written for the local
 * {@link io.github.reactorpatterns.limit.AsyncSemaphore} works unchanged.
 *
 * <p>Each permit held is a member of a sorted set ({@code {name}:semaphore}) with a random id and an expiry (its
 * lease) in Redis time. Acquiring is one Lua script: drop expired permits, count, add. While a permit is held its
 * holder renews the lease on a heartbeat ({@link Builder#renewEvery(Duration)}) on this semaphore's
 * {@link Scheduler}; {@link Permit#release()} removes it by id. A process that dies without releasing (killed,
 * crashed, cut off) stops renewing, and its permits are free again once their lease runs out: never held forever.
 *
 * <p>Waiters of one process are served first come, first served. While the fleet has free permits, several of them
 * ask Redis at once (up to 64, and no more than the free permits Redis last reported), so acquiring is not held to
 * one round trip at a time; each permit Redis grants goes to the waiter at the head of the line, whichever request
 * won it. Once Redis answers that every permit is taken, only one request at a time asks again: it is sent when a
 * pub/sub message that every release publishes arrives, and, in case a message is lost or a holder died, at the
 * latest when the first lease runs out or after {@link Builder#recheckEvery(Duration)}, whichever comes first. A
 * cancelled waiter leaves at once, even while a request is in flight; a permit granted with no waiter left to take
 * it, or in a race with the cancel, is released.
 *
 * <p>When Redis cannot be reached, {@code acquire} fails with {@link RedisUnavailableException} (a semaphore that
 * let everyone through would not bound anything). A lease that cannot be renewed for longer than the lease may be
 * taken by another process: choose the lease well above the longest Redis outage you want to ride out. A key that
 * holds another kind of value fails with {@link RedisKeyTypeException}.
 *
 * <p>{@link Builder#build()} opens two connections from the client (commands and pub/sub); {@link #close()} closes
 * them. Signals are delivered on this semaphore's scheduler. Thread-safe.
 */
public final class RedisSemaphore implements PermitSource, AutoCloseable {

    /** The default lease of a permit: 30 seconds. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    /** The default longest time waiters sleep between two asks without a release message: 1 second. */
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(1);

    /** The default time each call waits for Redis: 2 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** The most acquire requests one semaphore has in flight at once. */
    static final int MAX_ASKING = 64;

    /*
     * KEYS[1] the set; ARGV[1] permits, ARGV[2] id, ARGV[3] lease µs. Reply {1, permits still free after this one},
     * or {0, µs to the first expiry}.
     */
    static final String ACQUIRE = String.join(
            "\n",
            "if redis.replicate_commands then pcall(redis.replicate_commands) end",
            "local kind = redis.call('TYPE', KEYS[1])['ok']",
            "if kind ~= 'none' and kind ~= 'zset' then",
            "  return redis.error_reply('WRONGTYPE ' .. KEYS[1] .. ' holds a ' .. kind .. ', not a semaphore')",
            "end",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "local lease = tonumber(ARGV[3])",
            "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))",
            "local held = redis.call('ZCARD', KEYS[1])",
            "if held < tonumber(ARGV[1]) then",
            "  redis.call('ZADD', KEYS[1], string.format('%.0f', now + lease), ARGV[2])",
            "  redis.call('PEXPIRE', KEYS[1], math.ceil(lease / 1000))",
            "  return {1, tonumber(ARGV[1]) - held - 1}",
            "end",
            "local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')",
            "return {0, math.max(1, math.ceil(tonumber(first[2]) - now))}");

    /* KEYS[1] the set; ARGV[1] id, ARGV[2] lease µs. Reply 1 renewed, 0 the lease was gone. */
    static final String RENEW = String.join(
            "\n",
            "if redis.replicate_commands then pcall(redis.replicate_commands) end",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "local score = redis.call('ZSCORE', KEYS[1], ARGV[1])",
            "if not score or tonumber(score) <= now then return 0 end",
            "local lease = tonumber(ARGV[2])",
            "redis.call('ZADD', KEYS[1], 'XX', string.format('%.0f', now + lease), ARGV[1])",
            "if redis.call('PTTL', KEYS[1]) < lease / 1000 then",
            "  redis.call('PEXPIRE', KEYS[1], math.ceil(lease / 1000))",
            "end",
            "return 1");

    /* KEYS[1] the set; ARGV[1] id, ARGV[2] channel. Reply: 1 removed, 0 it had expired. */
    static final String RELEASE = String.join(
            "\n",
            "local removed = redis.call('ZREM', KEYS[1], ARGV[1])",
            "redis.call('PUBLISH', ARGV[2], ARGV[1])",
            "return removed");

    /* KEYS[1] the set. Reply: how many permits are held (leases not run out). */
    static final String HELD = String.join(
            "\n",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
            "return redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', now), '+inf')");

    private static final RedisScript HELD_LUA = new RedisScript(HELD);
    private static final RedisScript ACQUIRE_LUA = new RedisScript(ACQUIRE);
    private static final RedisScript RENEW_LUA = new RedisScript(RENEW);
    private static final RedisScript RELEASE_LUA = new RedisScript(RELEASE);

    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisReactiveCommands<String, String> commands;
    private final String[] keys;
    private final String channel;
    private final int permits;
    private final String permitsArg;
    private final String leaseMicros;
    private final Duration renewEvery;
    private final long recheckMicros;
    private final Duration timeout;
    private final Scheduler scheduler;
    private final RedisCalls calls;
    private final String idPrefix = UUID.randomUUID().toString();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();

    private final Object lock = new Object();
    /** The waiters not served yet, in the order they came; a cancelled waiter is removed at once. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** Acquire scripts in flight for the waiters; their grants go to the head of {@link #queue}. */
    private int asking;
    /** The free permits Redis last reported (0 once it answered "all taken"): how many may ask at once. */
    private int room;
    /** Redis answered "all taken" and nothing is asking: the waiters sleep until a release message or the timer. */
    private boolean sleeping;

    private @Nullable Disposable timer;
    /** Counts the sleeps, so that a timer of an earlier sleep cannot end a later one. */
    private long sleeps;
    /** A release was announced while requests were in flight: after a denial, ask again at once instead of sleeping. */
    private boolean releasedMeanwhile;
    /** One thread at a time sends the requests {@link #pump()} decides on; others leave it the work. */
    private boolean pumping;

    private RedisSemaphore(Builder b) {
        this.keys = new String[] {key(b.name)};
        this.channel = keys[0] + ":released";
        this.permits = b.permits;
        this.room = b.permits;
        this.permitsArg = Integer.toString(b.permits);
        this.leaseMicros = Long.toString(TimeUnit.NANOSECONDS.toMicros(b.lease.toNanos()));
        this.renewEvery = b.renewEvery != null ? b.renewEvery : b.lease.dividedBy(3);
        this.recheckMicros = TimeUnit.NANOSECONDS.toMicros(b.recheck.toNanos());
        this.timeout = b.timeout;
        this.scheduler = b.scheduler != null ? b.scheduler : Schedulers.parallel();
        this.calls = new RedisCalls(scheduler, timeout);
        this.connection = b.client.connect();
        try {
            this.pubSub = b.client.connectPubSub();
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
        this.commands = connection.reactive();
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                released();
            }
        });
        try {
            pubSub.sync().subscribe(channel);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts building a semaphore of {@code permits} permits named {@code name}. Every semaphore with the same name
     * on the same Redis shares its permits; give all of them the same number of permits.
     *
     * @param client the Lettuce client whose connections the semaphore opens (not shut down by it)
     * @param name the semaphore's name, not empty; its key is {@code {name}:semaphore}
     * @param permits how many permits the fleet shares, {@code > 0}
     * @return a new builder
     * @throws NullPointerException if {@code client} or {@code name} is null
     * @throws IllegalArgumentException if {@code name} is empty or {@code permits <= 0}
     */
    public static Builder builder(RedisClient client, String name, int permits) {
        return new Builder(client, name, permits);
    }

    /**
     * The Redis key that holds the permits of the semaphore named {@code name}.
     *
     * @param name the semaphore's name
     * @return {@code {name}:semaphore}
     * @throws NullPointerException if {@code name} is null
     */
    public static String key(String name) {
        return "{" + Objects.requireNonNull(name, "name") + "}:semaphore";
    }

    /**
     * Acquires one permit, waiting (without blocking a thread) until the fleet has one free. The emitted permit's
     * lease is renewed until {@link Permit#release()}; prefer {@link #withPermit(Mono)}, which releases.
     *
     * @return a {@code Mono} of the permit; it fails with {@link RedisUnavailableException} when Redis cannot be
     *         reached, or with {@link RedisKeyTypeException}
     */
    @Override
    public Mono<Permit> acquire() {
        return Mono.<Permit>create(sink -> {
                    Waiter w = new Waiter(sink);
                    sink.onCancel(() -> cancel(w));
                    synchronized (lock) {
                        if (w.cancelled) {
                            return;
                        }
                        queue.addLast(w);
                    }
                    pump();
                })
                .doOnDiscard(RedisPermit.class, RedisPermit::release); // granted as the subscriber cancelled
    }

    /**
     * Takes one permit if the fleet has one free now; never waits and never overtakes this process's waiters.
     *
     * @return a {@code Mono} of the permit, or empty if none is free; it fails with
     *         {@link RedisUnavailableException} when Redis cannot be reached
     */
    @Override
    public Mono<Permit> tryAcquire() {
        return Mono.<Permit>create(sink -> {
                    synchronized (lock) {
                        if (!queue.isEmpty()) {
                            calls.deliver(sink::success);
                            return;
                        }
                    }
                    String id = nextId();
                    // not cancelled with the subscriber: Redis may run the script anyway, so its answer is awaited
                    // (bounded
                    // by the timeout) and a permit granted to a cancelled subscriber is discarded, which releases it
                    callAcquire(id, (r, e) -> {
                        if (r == null) {
                            releaseById(id); // a timed-out script may still have taken the permit in Redis
                            Throwable t = RedisErrors.translate(keys[0], e);
                            calls.deliver(() -> sink.error(t));
                        } else if (r[0] == 1) {
                            RedisPermit permit = grant(id);
                            calls.deliver(() -> sink.success(permit));
                        } else {
                            calls.deliver(sink::success);
                        }
                    });
                })
                .doOnDiscard(RedisPermit.class, RedisPermit::release); // granted as the subscriber cancelled
    }

    /**
     * Runs {@code task} while holding one permit: acquired on subscription, released when the task completes,
     * fails or is cancelled (also while still waiting). The task's signals pass through unchanged.
     *
     * @param task the work to run under the permit
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Mono<T> withPermit(Mono<T> task) {
        Objects.requireNonNull(task, "task");
        return Mono.usingWhen(acquire(), p -> task, p -> Mono.fromRunnable(p::release));
    }

    /**
     * Runs {@code task} while holding one permit, held until the {@code Flux} completes, fails or is cancelled.
     *
     * @param task the work to run under the permit
     * @param <T> the type of the task's elements
     * @return a {@code Flux} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Flux<T> withPermit(Flux<T> task) {
        Objects.requireNonNull(task, "task");
        return Flux.usingWhen(acquire(), p -> task, p -> Mono.fromRunnable(p::release));
    }

    /**
     * How many permits the fleet shares.
     *
     * @return the number of permits
     */
    public int permits() {
        return permits;
    }

    /**
     * How many subscribers of this process wait for a permit now.
     *
     * @return the number of waiters (a cancelled waiter is not counted, even while a request is in flight)
     */
    public int waiting() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /**
     * How many permits are held in the whole fleet now (those whose lease has not run out).
     *
     * @return a {@code Mono} of the count
     */
    public Mono<Long> held() {
        return Mono.create(sink ->
                sink.onCancel(calls.<Long>run(HELD_LUA.run(commands, ScriptOutputType.INTEGER, keys), (r, e) -> {
                    if (r != null) {
                        calls.deliver(() -> sink.success(r));
                    } else {
                        Throwable t =
                                RedisErrors.translate(keys[0], e != null ? e : new IllegalStateException("no reply"));
                        calls.deliver(() -> sink.error(t));
                    }
                })));
    }

    /** Closes the semaphore's connections. Permits still held stop being renewed and run out with their lease. */
    @Override
    public void close() {
        pubSub.close();
        connection.close();
    }

    @Override
    public String toString() {
        return "RedisSemaphore[" + keys[0] + ", " + permits + " permits, waiting " + waiting() + "]";
    }

    private String nextId() {
        return idPrefix + ":" + ids.incrementAndGet();
    }

    /** Runs the acquire script once, bounded by the timeout; {@code done} gets the reply or the error, never both. */
    private Disposable callAcquire(String id, BiConsumer<long @Nullable [], Throwable> done) {
        return calls.<List<Long>>run(
                ACQUIRE_LUA.run(commands, ScriptOutputType.MULTI, keys, permitsArg, id, leaseMicros), (r, e) -> {
                    if (r != null && r.size() == 2) {
                        done.accept(new long[] {r.get(0), r.get(1)}, null);
                    } else {
                        done.accept(null, e != null ? e : new IllegalStateException("unexpected reply " + r));
                    }
                });
    }

    /** Runs {@code script} once, bounded by the timeout, ignoring its outcome (best effort). */
    private void callQuietly(RedisScript script, String... args) {
        calls.run(script.<Long>run(commands, ScriptOutputType.INTEGER, keys, args), (r, e) -> {});
    }

    private RedisPermit grant(String id) {
        RedisPermit permit = new RedisPermit(id);
        permit.heartbeat = scheduler.schedulePeriodically(
                permit::renew, renewEvery.toNanos(), renewEvery.toNanos(), TimeUnit.NANOSECONDS);
        return permit;
    }

    /**
     * Sends as many acquire requests as the waiters and the room allow: while Redis last reported free permits, up
     * to {@link #MAX_ASKING} (and no more than that room or the waiters); once it answered "all taken", one at a time,
     * and none while the waiters sleep. One thread sends at a time, looping until nothing more may be sent, so a
     * request that fails at once (Redis unreachable) does not recurse into the next one.
     */
    private void pump() {
        synchronized (lock) {
            if (pumping) {
                return; // the thread that pumps now looks again before it stops
            }
            pumping = true;
        }
        for (; ; ) {
            int n;
            synchronized (lock) {
                n = sleeping ? 0 : Math.min(Math.max(1, Math.min(MAX_ASKING, room)), queue.size()) - asking;
                if (n <= 0) {
                    pumping = false;
                    return;
                }
                asking += n;
                releasedMeanwhile = false;
            }
            for (int i = 0; i < n; i++) {
                String id = nextId();
                callAcquire(id, (r, e) -> {
                    if (r != null) {
                        answered(id, r);
                    } else {
                        failed(id, e);
                    }
                });
            }
        }
    }

    private void answered(String id, long[] reply) {
        if (reply[0] == 1) {
            RedisPermit permit = grant(id);
            Waiter w;
            synchronized (lock) {
                asking--;
                room = (int) Math.max(0, Math.min(Integer.MAX_VALUE, reply[1]));
                w = queue.pollFirst(); // the head takes it, whichever request won it
                if (w != null) {
                    w.done = true;
                    w.permit = permit;
                }
            }
            if (w == null) {
                permit.release(); // every waiter it was asked for has cancelled
            } else {
                // if the subscriber cancels before this runs, cancel(w) sees the permit and releases it: the sink
                // drops a value that loses the race with its cancel (onNextDropped, no discard hook)
                deliver(() -> w.sink.success(permit));
            }
            pump();
            return;
        }
        synchronized (lock) {
            asking--;
            room = 0;
            if (asking > 0 || sleeping || queue.isEmpty()) {
                return; // the last answer in flight decides; nobody to wake
            }
            if (!releasedMeanwhile) {
                sleeping = true;
                long sleep = ++sleeps;
                timer = scheduleQuietly(() -> wake(sleep), Math.min(reply[1], recheckMicros));
                return;
            }
        }
        pump(); // a release was announced while the request was in flight: ask again at once
    }

    private void failed(String id, Throwable error) {
        Waiter w;
        synchronized (lock) {
            asking--;
            w = queue.pollFirst(); // errors, like permits, go to the waiters in order
            if (w != null) {
                w.done = true;
            }
        }
        releaseById(id); // a timed-out script may still have taken the permit in Redis
        if (w != null) {
            Throwable e = RedisErrors.translate(keys[0], error);
            deliver(() -> w.sink.error(e));
        }
        pump();
    }

    /** The re-check timer of sleep number {@code sleep} ran out. */
    private void wake(long sleep) {
        synchronized (lock) {
            if (!sleeping || sleeps != sleep) {
                return;
            }
            sleeping = false;
            timer = null;
        }
        pump();
    }

    /** A release was announced (by any process): wake the sleeping waiters. */
    private void released() {
        Disposable t;
        synchronized (lock) {
            if (!sleeping) {
                if (asking > 0) {
                    releasedMeanwhile = true;
                }
                return;
            }
            sleeping = false;
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.dispose();
        }
        pump();
    }

    private void cancel(Waiter w) {
        Disposable t = null;
        RedisPermit granted;
        synchronized (lock) {
            if (w.cancelled) {
                return;
            }
            w.cancelled = true;
            granted = w.permit;
            if (!w.done) {
                // leaves at once; a request in flight for it serves the next waiter, or is released if none is left
                queue.remove(w);
                if (queue.isEmpty() && sleeping) {
                    sleeping = false;
                    t = timer;
                    timer = null;
                }
            }
        }
        if (granted != null) {
            granted.release(); // granted but not delivered: the sink's cancel won (idempotent by id)
        }
        if (t != null) {
            t.dispose();
        }
    }

    /** Removes the permit {@code id} from Redis, whether or not it was ever taken; best effort. */
    private void releaseById(String id) {
        callQuietly(RELEASE_LUA, id, channel); // if it cannot reach Redis, the lease frees the permit
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

    /** One subscriber of {@link #acquire()}; its fields are guarded by the semaphore's lock. */
    private static final class Waiter {
        final MonoSink<Permit> sink;
        boolean cancelled;
        /** Left the queue with a permit or an error. */
        boolean done;
        /** Set (under the lock) once a permit Redis granted was given to this waiter, before it is delivered. */
        @Nullable
        RedisPermit permit;

        Waiter(MonoSink<Permit> sink) {
            this.sink = sink;
        }
    }

    private final class RedisPermit implements Permit {
        final String id;
        final AtomicBoolean released = new AtomicBoolean();
        volatile @Nullable Disposable heartbeat;

        RedisPermit(String id) {
            this.id = id;
        }

        void renew() {
            if (released.get()) {
                return;
            }
            callQuietly(RENEW_LUA, id, leaseMicros); // a missed renewal is retried on the next beat
        }

        @Override
        public void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            Disposable beat = heartbeat;
            if (beat != null) {
                beat.dispose();
            }
            callQuietly(RELEASE_LUA, id, channel); // if it cannot reach Redis, the lease frees the permit
        }

        @Override
        public int permits() {
            return 1;
        }

        @Override
        public boolean isReleased() {
            return released.get();
        }

        @Override
        public String toString() {
            return "RedisPermit[" + keys[0] + " " + id + (released.get() ? ", released" : "") + "]";
        }
    }

    /** Builds a {@link RedisSemaphore}. Reusable; not thread-safe. */
    public static final class Builder {

        private final RedisClient client;
        private final String name;
        private final int permits;
        private Duration lease = DEFAULT_LEASE;
        private @Nullable Duration renewEvery;
        private Duration recheck = DEFAULT_RECHECK;
        private Duration timeout = DEFAULT_TIMEOUT;
        private @Nullable Scheduler scheduler;

        Builder(RedisClient client, String name, int permits) {
            this.client = Objects.requireNonNull(client, "client");
            this.name = Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name must not be empty");
            }
            if (permits <= 0) {
                throw new IllegalArgumentException("permits > 0 required but it was " + permits);
            }
            this.permits = permits;
        }

        /**
         * Sets the lease: how long a permit stays held without a renewal (so how long the permits of a process that
         * died stay taken).
         *
         * @param lease at least 10 ms; default {@link #DEFAULT_LEASE}
         * @return this builder
         * @throws NullPointerException if {@code lease} is null
         * @throws IllegalArgumentException if {@code lease} is shorter than 10 ms
         */
        public Builder lease(Duration lease) {
            Objects.requireNonNull(lease, "lease");
            if (lease.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("lease >= 10 ms required but it was " + lease);
            }
            this.lease = lease;
            return this;
        }

        /**
         * Sets how often a holder renews its lease.
         *
         * @param renewEvery positive and shorter than the lease; default a third of the lease
         * @return this builder
         * @throws NullPointerException if {@code renewEvery} is null
         * @throws IllegalArgumentException if {@code renewEvery} is not positive
         */
        public Builder renewEvery(Duration renewEvery) {
            Objects.requireNonNull(renewEvery, "renewEvery");
            if (renewEvery.isNegative() || renewEvery.isZero()) {
                throw new IllegalArgumentException("renewEvery > 0 required but it was " + renewEvery);
            }
            this.renewEvery = renewEvery;
            return this;
        }

        /**
         * Sets the longest time waiters sleep, once Redis answered that every permit is taken, before one of them asks
         * again when no release message arrives.
         *
         * @param recheck positive; default {@link #DEFAULT_RECHECK}
         * @return this builder
         * @throws NullPointerException if {@code recheck} is null
         * @throws IllegalArgumentException if {@code recheck} is not positive
         */
        public Builder recheckEvery(Duration recheck) {
            Objects.requireNonNull(recheck, "recheck");
            if (recheck.isNegative() || recheck.isZero()) {
                throw new IllegalArgumentException("recheck > 0 required but it was " + recheck);
            }
            this.recheck = recheck;
            return this;
        }

        /**
         * Sets how long one call waits for Redis before it fails with {@link RedisUnavailableException}.
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
         * Sets the scheduler that runs the heartbeats and the waiters' timers and delivers every signal.
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
         * Opens the semaphore's connections (blocking until connected: call it at start-up, not on a non-blocking
         * thread) and subscribes to its release messages.
         *
         * @return a new semaphore; {@link RedisSemaphore#close()} closes its connections
         * @throws IllegalArgumentException if the renewal interval is not shorter than the lease
         * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached within the client's connect
         *         timeout
         */
        public RedisSemaphore build() {
            if (renewEvery != null && renewEvery.compareTo(lease) >= 0) {
                throw new IllegalArgumentException(
                        "renewEvery < lease (" + lease + ") required but it was " + renewEvery);
            }
            return new RedisSemaphore(this);
        }
    }
}
