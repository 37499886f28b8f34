package io.github.reactorpatterns.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A bounded work queue shared by many processes through a Redis Stream with a consumer group: the fleet-wide form
 * of Python's {@code asyncio.Queue} with N workers. Producers {@link #put(String) put} payloads anywhere; every
 * process that {@link #start(Function) starts} workers takes jobs from the same stream.
 *
 * <p>Delivery is <b>at least once</b>. A job is acknowledged ({@code XACK}, then deleted) only after its handler's
 * {@code Mono} completes; once acknowledged it is never delivered again. A handler that fails has its job delivered
 * again, up to {@link Builder#maxAttempts(int) the attempt limit}; then the job moves to the dead-letter stream
 * {@code {name}:dead} with its payload, its error and its delivery count. A job whose worker died (its process was
 * killed) is claimed by a live worker ({@code XAUTOCLAIM}) once it has been idle for
 * {@link Builder#visibilityTimeout(Duration) the visibility timeout}. A running job is kept by its worker (a heartbeat
 * resets its idle time every third of the visibility timeout), so only a process that stalls for longer than the
 * visibility timeout can see one of its jobs run a second time elsewhere. {@link RedisJob#deliveryCount()} tells the
 * handler how often a job has been delivered.
 *
 * <p>Each process reads with {@code XREADGROUP ... BLOCK} on a connection of its own, so a blocked read never delays
 * other commands, and reads no more jobs than it has free workers. {@link #put(String)} waits while the stream holds
 * {@link Builder#capacity(int) capacity} unacknowledged jobs. {@link #shutdown(Duration)} stops reading, lets running
 * jobs finish within a grace period and leaves every other job pending for other consumers: nothing is lost.
 *
 * <p>A handler is called on the thread that delivered its job (Lettuce's event loop for jobs read from the stream):
 * it must not block; hand blocking work to {@code Schedulers.boundedElastic()}. {@link Builder#build()} opens a
 * connection from the client; {@link #close()} closes every connection the queue opened. Thread-safe.
 */
public final class RedisWorkQueue implements AutoCloseable {

    /** The default capacity: 10,000 unacknowledged jobs. */
    public static final int DEFAULT_CAPACITY = 10_000;

    /** The default number of workers per process: 4. */
    public static final int DEFAULT_WORKERS = 4;

    /** The default attempt limit before a job goes to the dead-letter stream: 3. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    /** The default visibility timeout: 30 seconds. */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);

    /** The default longest wait of one blocking read, and of a waiting {@code put} between two checks: 1 second. */
    public static final Duration DEFAULT_BLOCK = Duration.ofSeconds(1);

    /** The default pause before a failed job is delivered again: 100 milliseconds. */
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(100);

    /* KEYS[1] stream; ARGV[1] capacity, ARGV[2] payload. Reply: the new id, or nil while full. */
    static final String PUT = String.join(
            "\n",
            "local kind = redis.call('TYPE', KEYS[1])['ok']",
            "if kind ~= 'none' and kind ~= 'stream' then",
            "  return redis.error_reply('WRONGTYPE ' .. KEYS[1] .. ' holds a ' .. kind .. ', not a work queue')",
            "end",
            "if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end",
            "return redis.call('XADD', KEYS[1], '*', 'payload', ARGV[2])");

    /* KEYS[1] stream; ARGV[1] group, ARGV[2] id. Reply: 1 acknowledged now, 0 it was not pending. */
    static final String ACK = String.join(
            "\n",
            "local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])",
            "if acked == 1 then redis.call('XDEL', KEYS[1], ARGV[2]) end",
            "return acked");

    /* KEYS[1] stream, KEYS[2] dead letters; ARGV group, id, payload, error, deliveries. Reply as ACK. */
    static final String DEAD = String.join(
            "\n",
            "local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])",
            "if acked == 1 then",
            "  redis.call('XADD', KEYS[2], '*', 'id', ARGV[2], 'payload', ARGV[3], 'error', ARGV[4],"
                    + " 'deliveries', ARGV[5])",
            "  redis.call('XDEL', KEYS[1], ARGV[2])",
            "end",
            "return acked");

    /* KEYS[1] stream; ARGV group, consumer, min idle ms, count. Reply: {{id, {field, value, ...}, deliveries}, ...} */
    static final String CLAIM = String.join(
            "\n",
            "local out = {}",
            "local cursor = '0-0'",
            "repeat",
            "  local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], cursor, 'COUNT', ARGV[4])",
            "  cursor = r[1]",
            "  for _, e in ipairs(r[2]) do",
            "    if e and e[2] then",
            "      local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)",
            "      local n = 1",
            "      if p[1] then n = p[1][4] end",
            "      table.insert(out, {e[1], e[2], n})",
            "    end",
            "  end",
            "until cursor == '0-0' or #out >= tonumber(ARGV[4])",
            "return out");

    private static final RedisScript PUT_LUA = new RedisScript(PUT);
    private static final RedisScript ACK_LUA = new RedisScript(ACK);
    private static final RedisScript DEAD_LUA = new RedisScript(DEAD);
    private static final RedisScript CLAIM_LUA = new RedisScript(CLAIM);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisReactiveCommands<String, String> commands;
    private final String stream;
    private final String dead;
    private final String group;
    private final String consumer;
    private final String capacityArg;
    private final int workers;
    private final int maxAttempts;
    private final Duration visibility;
    private final Duration block;
    private final Duration retryDelay;
    private final Scheduler scheduler;
    private final @Nullable Consumer<RedisJob> onAcknowledged;

    private static final Object SUCCESS = new Object();

    private final AtomicInteger running = new AtomicInteger();
    private final Sinks.Empty<Void> stop = Sinks.empty();
    private final Sinks.Empty<Void> drained = Sinks.empty();
    private final Object lock = new Object();
    private @Nullable StatefulRedisConnection<String, String> readConnection;
    private @Nullable Disposable workersSubscription;
    private boolean started;
    private volatile boolean stopping;
    private boolean closed;

    private RedisWorkQueue(Builder b) {
        this.client = b.client;
        this.stream = streamKey(b.name);
        this.dead = deadLetterKey(b.name);
        this.group = b.name;
        this.consumer = b.consumer != null ? b.consumer : b.name + "-" + UUID.randomUUID();
        this.capacityArg = Integer.toString(b.capacity);
        this.workers = b.workers;
        this.maxAttempts = b.maxAttempts;
        this.visibility = b.visibility;
        this.block = b.block;
        this.retryDelay = b.retryDelay;
        this.scheduler = b.scheduler != null ? b.scheduler : Schedulers.parallel();
        this.onAcknowledged = b.onAcknowledged;
        this.connection = client.connect();
        this.commands = connection.reactive();
        try {
            connection
                    .sync()
                    .xgroupCreate(
                            XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream(true));
        } catch (RuntimeException e) {
            String message = e.getMessage();
            if (message == null || !message.startsWith("BUSYGROUP")) {
                connection.close();
                throw e instanceof io.lettuce.core.RedisCommandExecutionException
                                && message != null
                                && message.startsWith("WRONGTYPE")
                        ? new RedisKeyTypeException(stream, e)
                        : e;
            }
        }
    }

    /**
     * Starts building the queue named {@code name}. Every queue with the same name on the same Redis shares its
     * jobs.
     *
     * @param client the Lettuce client whose connections the queue opens (not shut down by it)
     * @param name the queue's name, not empty; the stream is {@code {name}:jobs}, the consumer group {@code name}
     * @return a new builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static Builder builder(RedisClient client, String name) {
        return new Builder(client, name);
    }

    /**
     * The stream that holds the jobs of the queue named {@code name}.
     *
     * @param name the queue's name
     * @return {@code {name}:jobs}
     * @throws NullPointerException if {@code name} is null
     */
    public static String streamKey(String name) {
        return "{" + Objects.requireNonNull(name, "name") + "}:jobs";
    }

    /**
     * The stream that receives the jobs of the queue named {@code name} that failed every attempt; each entry has
     * the fields {@code id}, {@code payload}, {@code error} and {@code deliveries}.
     *
     * @param name the queue's name
     * @return {@code {name}:dead}
     * @throws NullPointerException if {@code name} is null
     */
    public static String deadLetterKey(String name) {
        return "{" + Objects.requireNonNull(name, "name") + "}:dead";
    }

    /**
     * Adds a job, waiting (re-checking at most every {@link Builder#block(Duration) block interval}) while the
     * stream holds {@code capacity} unacknowledged jobs. Cancelling a waiting put adds nothing.
     *
     * @param payload the job's payload
     * @return a {@code Mono} of the job's id once it is in the stream
     * @throws NullPointerException if {@code payload} is null
     */
    public Mono<String> put(String payload) {
        Objects.requireNonNull(payload, "payload");
        String[] keys = {stream};
        Duration recheck = block.compareTo(Duration.ofMillis(50)) < 0 ? block : Duration.ofMillis(50);
        return Mono.defer(() -> PUT_LUA.<String>run(commands, ScriptOutputType.VALUE, keys, capacityArg, payload)
                        .next())
                .repeatWhenEmpty(
                        Integer.MAX_VALUE,
                        attempts -> attempts.concatMap(i -> Mono.delay(i < 20 ? recheck : block, scheduler)))
                .onErrorMap(e -> RedisErrors.translate(stream, e));
    }

    /**
     * Starts this process's workers: {@link Builder#workers(int) N} jobs run at once, each by
     * {@code handler.apply(job)}; the job is acknowledged when the returned {@code Mono} completes (with or without
     * a value) and delivered again when it fails. The handler must not throw; a thrown exception counts as a failure.
     *
     * @param handler the work for one job
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalStateException if the workers were already started, or the queue is shut down
     */
    public void start(Function<? super RedisJob, ? extends Mono<?>> handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (lock) {
            if (stopping) {
                throw new IllegalStateException("start after shutdown");
            }
            if (started) {
                throw new IllegalStateException("the workers are already started");
            }
            started = true;
            readConnection = client.connect();
        }
        RedisReactiveCommands<String, String> reader =
                Objects.requireNonNull(readConnection).reactive();
        io.lettuce.core.Consumer<String> me = io.lettuce.core.Consumer.from(group, consumer);
        Flux<RedisJob> reads = Flux.defer(() -> reader.xreadgroup(
                                me,
                                XReadArgs.Builder.block(block).count(Math.max(1, workers - running.get())),
                                XReadArgs.StreamOffset.lastConsumed(stream))
                        .map(m -> new RedisJob(m.getId(), payloadOf(m), 1)))
                .onErrorResume(e -> Mono.delay(retryDelay, scheduler).then(Mono.empty()))
                .repeat(() -> !stopping);
        Duration claimEvery = visibility.dividedBy(2).compareTo(block) < 0 ? block : visibility.dividedBy(2);
        Flux<RedisJob> claims = Flux.interval(claimEvery, claimEvery, scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> claim(), 1);
        workersSubscription = Flux.merge(1, reads, claims)
                .takeUntilOther(stop.asMono())
                .filter(job -> !stopping)
                .flatMap(job -> run(job, handler), workers, 1)
                .subscribe(v -> {}, e -> drained.tryEmitEmpty(), drained::tryEmitEmpty);
    }

    /**
     * Stops this process's workers: no job is read or claimed any more, running jobs get {@code grace} to finish
     * (and are acknowledged), then any still running are cancelled and stay pending, as does every job not started:
     * other consumers (or this queue's next start in another process) take them after the visibility timeout.
     * Idempotent.
     *
     * @param grace how long running jobs may take to finish, {@code >= 0}
     * @return a {@code Mono} that completes when the workers have stopped; the queue's connections are then closed
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Mono<Void> shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace >= 0 required but it was " + grace);
        }
        return Mono.defer(() -> {
            boolean wasStarted;
            synchronized (lock) {
                stopping = true;
                wasStarted = started;
            }
            stop.tryEmitEmpty();
            if (!wasStarted) {
                return Mono.fromRunnable(this::close);
            }
            return drained.asMono()
                    .timeout(
                            grace,
                            Mono.<Void>fromRunnable(() -> {
                                Disposable d = workersSubscription;
                                if (d != null) {
                                    d.dispose();
                                }
                            }),
                            scheduler)
                    .then(Mono.fromRunnable(this::close));
        });
    }

    /**
     * How many jobs are in the stream and not yet acknowledged (waiting, running, or waiting for another attempt).
     *
     * @return a {@code Mono} of the count
     */
    public Mono<Long> outstanding() {
        return commands.xlen(stream);
    }

    /**
     * How many jobs this process runs now.
     *
     * @return the number of running handlers
     */
    public int running() {
        return running.get();
    }

    /** Closes the queue's connections at once, without a grace period; running jobs stay pending. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            stopping = true;
            if (closed) {
                return;
            }
            closed = true;
        }
        stop.tryEmitEmpty();
        Disposable d = workersSubscription;
        if (d != null) {
            d.dispose();
        }
        StatefulRedisConnection<String, String> r = readConnection;
        if (r != null) {
            r.closeAsync();
        }
        connection.closeAsync();
    }

    @Override
    public String toString() {
        return "RedisWorkQueue[" + stream + ", consumer " + consumer + ", running " + running.get() + "]";
    }

    private Mono<Void> run(RedisJob job, Function<? super RedisJob, ? extends Mono<?>> handler) {
        return Mono.defer(() -> {
            running.incrementAndGet();
            // while the job runs, keep it ours: resetting its idle time (XCLAIM ... JUSTID, which counts no delivery)
            // stops other consumers from claiming a job that is merely slow
            Duration every = visibility.dividedBy(3);
            Disposable heartbeat = Flux.interval(every, every, scheduler)
                    .onBackpressureDrop()
                    .concatMap(
                            tick -> commands.xclaim(
                                            stream,
                                            io.lettuce.core.Consumer.from(group, consumer),
                                            XClaimArgs.Builder.justid(),
                                            job.id())
                                    .then()
                                    .onErrorResume(e -> Mono.empty()),
                            1)
                    .subscribe();
            return attempt(job, handler).doFinally(s -> {
                heartbeat.dispose();
                running.decrementAndGet();
            });
        });
    }

    private Mono<Void> attempt(RedisJob job, Function<? super RedisJob, ? extends Mono<?>> handler) {
        Mono<?> work;
        try {
            work = Objects.requireNonNull(handler.apply(job), "the handler returned null");
        } catch (RuntimeException e) {
            work = Mono.error(e);
        }
        return work.then(Mono.<Object>just(SUCCESS))
                .onErrorResume(Mono::just)
                .flatMap(outcome -> outcome == SUCCESS ? ack(job) : failed(job, (Throwable) outcome, handler))
                // Redis unreachable while acknowledging or claiming: the job stays pending and is claimed later
                .onErrorResume(e -> Mono.empty());
    }

    private Mono<Void> ack(RedisJob job) {
        return ACK_LUA.<Long>run(commands, ScriptOutputType.INTEGER, new String[] {stream}, group, job.id())
                .next()
                .doOnNext(acked -> {
                    Consumer<RedisJob> listener = onAcknowledged;
                    if (acked == 1 && listener != null) {
                        listener.accept(job);
                    }
                })
                .then();
    }

    private Mono<Void> failed(RedisJob job, Throwable error, Function<? super RedisJob, ? extends Mono<?>> handler) {
        if (job.deliveryCount() >= maxAttempts) {
            return deadLetter(job, String.valueOf(error));
        }
        if (stopping) {
            return Mono.empty(); // stays pending: another consumer retries it after the visibility timeout
        }
        // claim it again (which counts a delivery in Redis) and run it again after the retry delay; empty if
        // another consumer has claimed it meanwhile
        return Mono.delay(retryDelay, scheduler)
                .then(commands.xclaim(stream, io.lettuce.core.Consumer.from(group, consumer), 0, job.id())
                        .next())
                .flatMap(m -> attempt(job.redelivered(), handler));
    }

    private Mono<Void> deadLetter(RedisJob job, String error) {
        return DEAD_LUA.<Long>run(
                        commands,
                        ScriptOutputType.INTEGER,
                        new String[] {stream, dead},
                        group,
                        job.id(),
                        job.payload(),
                        error,
                        Long.toString(job.deliveryCount()))
                .then();
    }

    private Flux<RedisJob> claim() {
        int count = Math.max(1, workers - running.get());
        return CLAIM_LUA
                .<List<Object>>run(
                        commands,
                        ScriptOutputType.MULTI,
                        new String[] {stream},
                        group,
                        consumer,
                        Long.toString(visibility.toMillis()),
                        Integer.toString(count))
                .next()
                .flatMapIterable(RedisWorkQueue::claimed)
                .onErrorResume(e -> Flux.empty());
    }

    @SuppressWarnings("unchecked")
    private static List<RedisJob> claimed(List<Object> reply) {
        List<RedisJob> jobs = new ArrayList<>(reply.size());
        for (Object o : reply) {
            List<Object> entry = (List<Object>) o;
            String id = String.valueOf(entry.get(0));
            List<Object> fields = (List<Object>) entry.get(1);
            String payload = "";
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("payload".equals(String.valueOf(fields.get(i)))) {
                    payload = String.valueOf(fields.get(i + 1));
                }
            }
            jobs.add(new RedisJob(id, payload, ((Number) entry.get(2)).longValue()));
        }
        return jobs;
    }

    private static String payloadOf(StreamMessage<String, String> m) {
        String payload = m.getBody().get("payload");
        return payload != null ? payload : "";
    }

    /** Builds a {@link RedisWorkQueue}. Reusable; not thread-safe. */
    public static final class Builder {

        private final RedisClient client;
        private final String name;
        private int capacity = DEFAULT_CAPACITY;
        private int workers = DEFAULT_WORKERS;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration visibility = DEFAULT_VISIBILITY_TIMEOUT;
        private Duration block = DEFAULT_BLOCK;
        private Duration retryDelay = DEFAULT_RETRY_DELAY;
        private @Nullable String consumer;
        private @Nullable Scheduler scheduler;
        private @Nullable Consumer<RedisJob> onAcknowledged;

        Builder(RedisClient client, String name) {
            this.client = Objects.requireNonNull(client, "client");
            this.name = Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name must not be empty");
            }
        }

        /**
         * Sets how many unacknowledged jobs the stream may hold before {@link RedisWorkQueue#put(String)} waits.
         *
         * @param capacity {@code > 0}; default {@link #DEFAULT_CAPACITY}
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity <= 0}
         */
        public Builder capacity(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("capacity > 0 required but it was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * Sets how many jobs this process runs at once.
         *
         * @param workers {@code > 0}; default {@link #DEFAULT_WORKERS}
         * @return this builder
         * @throws IllegalArgumentException if {@code workers <= 0}
         */
        public Builder workers(int workers) {
            if (workers <= 0) {
                throw new IllegalArgumentException("workers > 0 required but it was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Sets how many deliveries a failing job gets before it moves to the dead-letter stream.
         *
         * @param maxAttempts {@code > 0}; default {@link #DEFAULT_MAX_ATTEMPTS}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxAttempts <= 0}
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts <= 0) {
                throw new IllegalArgumentException("maxAttempts > 0 required but it was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets how long a delivered job may stay unacknowledged before another consumer claims it (its worker is
         * presumed dead). Longer than the longest job, or long jobs run twice.
         *
         * @param visibility at least 10 ms; default {@link #DEFAULT_VISIBILITY_TIMEOUT}
         * @return this builder
         * @throws NullPointerException if {@code visibility} is null
         * @throws IllegalArgumentException if {@code visibility} is shorter than 10 ms
         */
        public Builder visibilityTimeout(Duration visibility) {
            Objects.requireNonNull(visibility, "visibility");
            if (visibility.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("visibility >= 10 ms required but it was " + visibility);
            }
            this.visibility = visibility;
            return this;
        }

        /**
         * Sets the longest wait of one blocking read; also the longest pause of a waiting put between two checks.
         *
         * @param block at least 1 ms; default {@link #DEFAULT_BLOCK}
         * @return this builder
         * @throws NullPointerException if {@code block} is null
         * @throws IllegalArgumentException if {@code block} is shorter than 1 ms
         */
        public Builder block(Duration block) {
            Objects.requireNonNull(block, "block");
            if (block.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("block >= 1 ms required but it was " + block);
            }
            this.block = block;
            return this;
        }

        /**
         * Sets the pause before a failed job is delivered again.
         *
         * @param retryDelay {@code >= 0}; default {@link #DEFAULT_RETRY_DELAY}
         * @return this builder
         * @throws NullPointerException if {@code retryDelay} is null
         * @throws IllegalArgumentException if {@code retryDelay} is negative
         */
        public Builder retryDelay(Duration retryDelay) {
            Objects.requireNonNull(retryDelay, "retryDelay");
            if (retryDelay.isNegative()) {
                throw new IllegalArgumentException("retryDelay >= 0 required but it was " + retryDelay);
            }
            this.retryDelay = retryDelay;
            return this;
        }

        /**
         * Sets this process's consumer name in the group (unique per live process).
         *
         * @param consumer not empty; default the queue's name and a random UUID
         * @return this builder
         * @throws NullPointerException if {@code consumer} is null
         * @throws IllegalArgumentException if {@code consumer} is empty
         */
        public Builder consumer(String consumer) {
            Objects.requireNonNull(consumer, "consumer");
            if (consumer.isEmpty()) {
                throw new IllegalArgumentException("consumer must not be empty");
            }
            this.consumer = consumer;
            return this;
        }

        /**
         * Sets the scheduler for the queue's timers (claims, retries, waiting puts, the shutdown grace).
         *
         * @param scheduler the timer; default {@code Schedulers.parallel()}
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Test hook: told about each job this process acknowledged. */
        Builder onAcknowledged(Consumer<RedisJob> listener) {
            this.onAcknowledged = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Opens the queue's connection (blocking until connected: call it at start-up) and creates the stream and
         * its consumer group if they do not exist.
         *
         * @return a new queue
         * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached within the client's connect
         *         timeout
         * @throws RedisKeyTypeException if the stream's key holds another kind of value
         */
        public RedisWorkQueue build() {
            return new RedisWorkQueue(this);
        }
    }
}
