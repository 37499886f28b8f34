package io.github.reactorpatterns.r2dbc;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.util.retry.Retry;

/**
 * A pooled R2DBC database with the patterns of Python's asyncpg and SQLAlchemy asyncio: a bounded pool with safe
 * defaults ({@code create_pool(min_size=5, max_size=20)}), queries whose rows stream from a server-side cursor as
 * they are asked for, {@code fetchrow} per key under a concurrency limit ({@code gather} with a semaphore), and a
 * unit of work that commits on success and rolls back on error <em>and</em> on cancel.
 *
 * <pre>{@code
 * Database db = Database.builder("r2dbc:postgresql://app@db:5432/shop").maxSize(20).build();
 *
 * Flux<User> users = db.fetchEach(ids, 10, "SELECT id, name FROM users WHERE id = $1", User::of);
 * Flux<Event> events = db.query("SELECT * FROM events WHERE day = $1", Event::of, day);   // streamed
 * Mono<Long> moved = db.transaction(tx -> tx.execute("UPDATE stock SET n = n - 1 WHERE sku = $1", sku)
 *         .flatMap(n -> tx.execute("INSERT INTO orders(sku) VALUES ($1)", sku)));
 * }</pre>
 *
 * <h2>The pool</h2>
 * r2dbc-pool's {@link ConnectionPool}, configured so that its limits mean what they say: at most
 * {@link #DEFAULT_MAX_SIZE} connections, {@link #DEFAULT_MIN_IDLE} kept open, a caller waits at most
 * {@link #DEFAULT_ACQUIRE_TIMEOUT} for one (r2dbc-pool's own default is to wait forever, and its acquire retry,
 * on by default, would silently double the wait: it is off here) and at most {@link #DEFAULT_MAX_PENDING_ACQUIRES}
 * callers wait at once (unbounded in r2dbc-pool). A caller that gets no connection fails with a
 * {@link PoolExhaustedException} that says which limit was hit; {@link #poolMetrics()} shows the pool's state.
 *
 * <h2>Statements</h2>
 * Each query or statement on the database itself takes a connection for its own duration and gives it back when
 * it completes, fails or is cancelled. Bind markers are PostgreSQL's {@code $1}, {@code $2}, ...; arguments are
 * checked at call time (see {@link Session}). Rows are read {@link #DEFAULT_FETCH_SIZE} at a time through
 * {@link io.r2dbc.spi.Statement#fetchSize(int)}, as the subscriber requests them: memory stays flat however many
 * rows a query returns, and a cancel costs at most one more batch (without a fetch size, r2dbc-postgresql reads and
 * discards every remaining row before the connection can run the next statement).
 *
 * <h2>Deadlines and cancel reach the server</h2>
 * When the subscriber's {@code Context} carries a {@link Deadline} (set with {@link Deadline#within(Duration)}),
 * a statement runs inside a transaction that first sets {@code SET LOCAL statement_timeout} to the time left, so
 * the server stops working for a caller that has given up even if the client is gone; a statement stopped by it
 * fails with a {@link DeadlineExceededException}. ({@code SET LOCAL} ends with its transaction, so the setting
 * never leaks into the next user of the pooled connection.) A statement cancelled before its first row (a
 * {@code timeout}, a {@code Deadline}, a disconnected client) is also cancelled on the server: with
 * r2dbc-postgresql a PostgreSQL {@code CancelRequest} is sent, and the connection goes back to the pool only after
 * the server has taken it (and, in a transaction, after the rollback).
 *
 * <h2>Errors</h2>
 * The driver's {@code R2dbcException}s (constraint violations, syntax errors, serialization failures) pass through
 * unchanged. This class adds only {@link PoolExhaustedException}, {@link DeadlineExceededException} and, for
 * {@link #fetchEach}, {@link RowNotFoundException}.
 *
 * <p>A {@code Database} is thread-safe; share one per data source and {@link #close()} it at shutdown.
 */
public final class Database implements AutoCloseable {

    /** Connections kept open even when idle: {@value} (as asyncpg's {@code create_pool(min_size=5)}). */
    public static final int DEFAULT_MIN_IDLE = 5;
    /** The most connections open at once: {@value} (as asyncpg's {@code create_pool(max_size=20)}). */
    public static final int DEFAULT_MAX_SIZE = 20;
    /** The longest a caller waits for a connection: 5 seconds. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);
    /** The most callers that may wait for a connection at once: {@value}; one more is refused at once. */
    public static final int DEFAULT_MAX_PENDING_ACQUIRES = 1000;
    /** The longest opening a new connection may take: 10 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** An idle connection is closed after this long (the pool keeps its minimum): 30 minutes. */
    public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofMinutes(30);
    /** Rows read per round trip while streaming: {@value}. */
    public static final int DEFAULT_FETCH_SIZE = 256;

    private static final String ACQUIRE_TIMEOUT_MESSAGE = "Connection acquisition timed out";

    private final ConnectionPool pool;
    private final Duration acquireTimeout;
    private final int fetchSize;
    private final @Nullable Function<Duration, String> deadlineStatement;

    private Database(Builder builder) {
        ConnectionPoolConfiguration.Builder config = ConnectionPoolConfiguration.builder(builder.factory)
                .initialSize(builder.minIdle)
                .minIdle(builder.minIdle)
                .maxSize(builder.maxSize)
                .maxAcquireTime(builder.acquireTimeout)
                .acquireRetry(0)
                .maxCreateConnectionTime(builder.connectTimeout)
                .maxIdleTime(builder.maxIdleTime)
                .name(builder.name);
        int maxPending = builder.maxPendingAcquires;
        config.customizer(pool -> pool.maxPendingAcquire(maxPending));
        if (builder.validationQuery != null) {
            config.validationQuery(builder.validationQuery);
        } else {
            config.validationDepth(ValidationDepth.LOCAL);
        }
        this.pool = new ConnectionPool(config.build());
        this.acquireTimeout = builder.acquireTimeout;
        this.fetchSize = builder.fetchSize;
        this.deadlineStatement = builder.deadlineStatement;
    }

    /**
     * A builder for a database on {@code factory}, with the defaults above.
     *
     * @param factory the driver's connection factory (not a pool: the database pools it)
     * @return a new builder
     * @throws NullPointerException if {@code factory} is null
     */
    public static Builder builder(ConnectionFactory factory) {
        return new Builder(Objects.requireNonNull(factory, "factory"));
    }

    /**
     * A builder for a database at an R2DBC URL, such as {@code r2dbc:postgresql://user@host:5432/db}; the driver
     * is found through {@link ConnectionFactories#get(String)}.
     *
     * @param url the R2DBC URL (without {@code pool:}: the database pools it)
     * @return a new builder
     * @throws NullPointerException if {@code url} is null
     * @throws IllegalStateException if no driver on the class path accepts the URL
     */
    public static Builder builder(String url) {
        return builder(ConnectionFactories.get(Objects.requireNonNull(url, "url")));
    }

    /**
     * Runs a query on a pooled connection and streams its rows, mapped, as the subscriber asks for them: asyncpg's
     * {@code conn.cursor(...)} iterated with {@code async for}, or {@code fetch} when collected.
     *
     * <p>The connection is taken at subscription and given back on completion, error or cancel. Rows come
     * {@link Builder#fetchSize(int) fetch size} at a time: nothing is buffered beyond one batch, and cancelling
     * stops reading after at most one more batch. Without a {@link Deadline} in the {@code Context} the query
     * runs outside a transaction; with one, inside its own transaction (see the class description). An empty
     * result completes empty.
     *
     * @param sql the query, with {@code $1}, {@code $2}, ... bind markers
     * @param mapper turns one row into a value; called on the driver's thread, must not return null
     * @param args the values of the bind markers, in order
     * @param <T> the type of the values
     * @return a lazy {@code Flux} of the mapped rows
     * @throws NullPointerException if {@code sql}, {@code mapper}, {@code args} or one of the arguments is null
     * @throws IllegalArgumentException if the number of arguments is not the number of bind markers
     */
    public <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... args) {
        Object[] bound = Sql.check(sql, args);
        Objects.requireNonNull(mapper, "mapper");
        return withSession(session -> session.rows(sql, mapper, bound));
    }

    /**
     * Runs a query on a pooled connection and emits its first row, mapped: asyncpg's {@code fetchrow}. Completes
     * empty if there is no row.
     *
     * @param sql the query, with {@code $1}, {@code $2}, ... bind markers
     * @param mapper turns the row into a value; must not return null
     * @param args the values of the bind markers, in order
     * @param <T> the type of the value
     * @return a lazy {@code Mono} of the first mapped row
     * @throws NullPointerException if {@code sql}, {@code mapper}, {@code args} or one of the arguments is null
     * @throws IllegalArgumentException if the number of arguments is not the number of bind markers
     */
    public <T> Mono<T> queryOne(String sql, Function<? super Row, ? extends T> mapper, Object... args) {
        Object[] bound = Sql.check(sql, args);
        Objects.requireNonNull(mapper, "mapper");
        // the row is taken inside the session: a cancel of the whole would roll back a transaction under a deadline
        return withSession(session -> session.<T>rows(sql, mapper, bound).next())
                .singleOrEmpty();
    }

    /**
     * Runs a statement on a pooled connection and emits the number of rows it changed: asyncpg's {@code execute}.
     *
     * @param sql the statement, with {@code $1}, {@code $2}, ... bind markers
     * @param args the values of the bind markers, in order
     * @return a lazy {@code Mono} of the number of rows changed
     * @throws NullPointerException if {@code sql}, {@code args} or one of the arguments is null
     * @throws IllegalArgumentException if the number of arguments is not the number of bind markers
     */
    public Mono<Long> execute(String sql, Object... args) {
        Sql.check(sql, args);
        return withSession(session -> session.execute(sql, args)).singleOrEmpty();
    }

    /**
     * Fetches one row per key, at most {@code concurrency} queries (and so connections) at once, and emits the
     * rows in the order of the keys: the asyncpg pattern {@code fetch_batch(ids, pool, max_concurrent)}, a
     * {@code fetchrow} per id under a semaphore and {@code gather}.
     *
     * <p>{@link Gather#ordered(int, Function)} over {@link #queryOne}: the first failure (a database error, or a
     * {@link RowNotFoundException} for a key without a row) cancels the running queries and fails the
     * {@code Flux}; use {@link #fetchEachSettled} to get every key's outcome. No keys complete empty. Keys are
     * read lazily, as queries finish; backpressure and cancel are {@code Gather}'s.
     *
     * @param keys the keys, one query each; bound to {@code $1}
     * @param concurrency how many queries may run at once, at least 1
     * @param sql a query with exactly one bind marker, {@code $1}
     * @param mapper turns the row into a value
     * @param <K> the type of the keys
     * @param <T> the type of the values
     * @return a lazy {@code Flux} of one value per key, in key order
     * @throws NullPointerException if {@code keys}, {@code sql} or {@code mapper} is null
     * @throws IllegalArgumentException if {@code concurrency} is less than 1 or {@code sql} has not exactly one
     *         bind marker
     */
    public <K, T> Flux<T> fetchEach(
            Iterable<? extends K> keys, int concurrency, String sql, Function<? super Row, ? extends T> mapper) {
        Objects.requireNonNull(keys, "keys");
        checkOneMarker(sql);
        Objects.requireNonNull(mapper, "mapper");
        Function<Flux<K>, Flux<T>> gather = Gather.ordered(concurrency, key -> fetchOne(sql, mapper, key));
        return Flux.<K>fromIterable(keys).transform(gather);
    }

    /**
     * Like {@link #fetchEach}, but every key gets its own {@link Outcome}, in key order, and one bad key does not
     * cost the batch: {@code gather(..., return_exceptions=True)}. A key without a row is a failure holding a
     * {@link RowNotFoundException}; a database error is a failure holding the driver's exception.
     *
     * @param keys the keys, one query each; bound to {@code $1}
     * @param concurrency how many queries may run at once, at least 1
     * @param sql a query with exactly one bind marker, {@code $1}
     * @param mapper turns the row into a value
     * @param <K> the type of the keys
     * @param <T> the type of the values
     * @return a lazy {@code Flux} of one outcome per key, in key order
     * @throws NullPointerException if {@code keys}, {@code sql} or {@code mapper} is null
     * @throws IllegalArgumentException if {@code concurrency} is less than 1 or {@code sql} has not exactly one
     *         bind marker
     */
    public <K, T> Flux<Outcome<T>> fetchEachSettled(
            Iterable<? extends K> keys, int concurrency, String sql, Function<? super Row, ? extends T> mapper) {
        Objects.requireNonNull(keys, "keys");
        checkOneMarker(sql);
        Objects.requireNonNull(mapper, "mapper");
        Function<Flux<K>, Flux<Outcome<T>>> gather = Gather.settled(concurrency, key -> fetchOne(sql, mapper, key));
        return Flux.<K>fromIterable(keys).transform(gather);
    }

    /**
     * Runs {@code work} in one transaction on one pooled connection: SQLAlchemy's {@code async with
     * session.begin()}, asyncpg's {@code async with conn.transaction()}.
     *
     * <ul>
     *     <li>{@code work} completes (with a value or empty): the transaction is committed, then the value is
     *     emitted. A failed commit fails the {@code Mono} with the driver's error (after a rollback).</li>
     *     <li>{@code work} fails (or throws): the transaction is rolled back and the {@code Mono} fails with the
     *     same error; a failed rollback is added to it as suppressed (and the connection is discarded).</li>
     *     <li>The subscriber cancels (a {@code timeout}, a {@code Deadline}, a client that went away): a running
     *     statement is cancelled on the server, the transaction is rolled back.</li>
     * </ul>
     * In every case the connection goes back to the pool after the commit or rollback. Nothing runs before
     * subscription; each subscription runs {@code work} again in a new transaction.
     *
     * @param work the unit of work; it may use the session only until its {@code Mono} ends
     * @param <T> the type of the result
     * @return a lazy {@code Mono} of the result of {@code work}, emitted after the commit
     * @throws NullPointerException if {@code work} is null
     */
    public <T> Mono<T> transaction(Function<? super Session, ? extends Mono<T>> work) {
        Objects.requireNonNull(work, "work");
        return transactional(null, work).singleOrEmpty();
    }

    /**
     * Like {@link #transaction(Function)}, with {@code definition} for the transaction, such as
     * {@code IsolationLevel.SERIALIZABLE}.
     *
     * @param definition the isolation level or other attributes of the transaction
     * @param work the unit of work
     * @param <T> the type of the result
     * @return a lazy {@code Mono} of the result of {@code work}, emitted after the commit
     * @throws NullPointerException if {@code definition} or {@code work} is null
     */
    public <T> Mono<T> transaction(
            TransactionDefinition definition, Function<? super Session, ? extends Mono<T>> work) {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(work, "work");
        return transactional(definition, work).singleOrEmpty();
    }

    /**
     * Like {@link #transaction(TransactionDefinition, Function)}, and runs the whole transaction again, as
     * {@code retry} allows, when it fails with a serialization failure or a deadlock (SQLSTATE {@code 40001} or
     * {@code 40P01}): the errors after which PostgreSQL asks the client to retry the transaction. Other errors
     * propagate unchanged and are not shown to {@code retry}; when {@code retry} gives up, its decision (its
     * {@code RetryExhaustedException}, or the last error) is the result.
     *
     * @param definition the isolation level or other attributes of the transaction
     * @param work the unit of work; called again for each attempt, so it must not keep state between calls
     * @param retry how often and how soon to retry
     * @param <T> the type of the result
     * @return a lazy {@code Mono} of the result of the attempt that committed
     * @throws NullPointerException if an argument is null
     */
    public <T> Mono<T> transaction(
            TransactionDefinition definition, Function<? super Session, ? extends Mono<T>> work, RetryPolicy retry) {
        Objects.requireNonNull(retry, "retry");
        Mono<T> once = transaction(definition, work);
        Retry onlyRetryable = Retry.from(signals -> retry.generateCompanion(signals.handle((signal, sink) -> {
            if (isRetryableTransactionFailure(signal.failure())) {
                sink.next(signal);
            } else {
                sink.error(signal.failure());
            }
        })));
        return once.retryWhen(onlyRetryable);
    }

    /**
     * Runs {@code work} in one transaction and streams what it emits, such as rows from a cursor: asyncpg's
     * cursor iterated inside {@code async with conn.transaction()}. The transaction is committed only after the
     * last item (and before the completion reaches the subscriber); an error or a cancel rolls it back, as for
     * {@link #transaction(Function)}.
     *
     * @param work the unit of work; it may use the session only until its publisher ends
     * @param <T> the type of the items
     * @return a lazy {@code Flux} of what {@code work} emits
     * @throws NullPointerException if {@code work} is null
     */
    public <T> Flux<T> transactionMany(Function<? super Session, ? extends Publisher<T>> work) {
        Objects.requireNonNull(work, "work");
        return transactional(null, work);
    }

    /**
     * Whether {@code error} asks for the whole transaction to be retried: a serialization failure (SQLSTATE
     * {@code 40001}) or a detected deadlock ({@code 40P01}), found on the error or its causes.
     *
     * @param error an error from a transaction
     * @return {@code true} for those two SQLSTATEs
     * @throws NullPointerException if {@code error} is null
     */
    public static boolean isRetryableTransactionFailure(Throwable error) {
        Objects.requireNonNull(error, "error");
        return Sql.hasSqlState(error, "40001", "40P01");
    }

    /**
     * The current state of the pool.
     *
     * @return a snapshot of acquired, idle, pending and allocated connections and the limits
     */
    public PoolMetrics poolMetrics() {
        return pool.getMetrics()
                .map(m -> new PoolMetrics(
                        m.acquiredSize(),
                        m.idleSize(),
                        m.pendingAcquireSize(),
                        m.allocatedSize(),
                        m.getMaxAllocatedSize(),
                        m.getMaxPendingAcquireSize()))
                .orElseGet(() -> new PoolMetrics(0, 0, 0, 0, 0, 0));
    }

    /**
     * The r2dbc-pool {@link ConnectionPool} underneath, for code that needs plain connections (they must be
     * closed to go back). Its acquire errors are r2dbc-pool's, not mapped to {@link PoolExhaustedException}.
     *
     * @return the pool
     */
    public ConnectionPool pool() {
        return pool;
    }

    /**
     * Opens {@link Builder#minIdle(int) minIdle} connections now instead of at the first acquire.
     *
     * @return a {@code Mono} of how many connections were opened
     */
    public Mono<Integer> warmup() {
        return pool.warmup();
    }

    /**
     * Closes the pool without blocking: idle connections are closed, connections in use are closed when they come
     * back, and acquires fail from now on.
     *
     * @return a {@code Mono} that completes when the pool is closed
     */
    public Mono<Void> disposeLater() {
        return pool.disposeLater();
    }

    /**
     * Closes the pool and waits for it: {@link #disposeLater()} for try-with-resources and shutdown hooks. Do not
     * call it on a non-blocking thread.
     */
    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(30));
    }

    int fetchSize() {
        return fetchSize;
    }

    @Nullable
    Function<Duration, String> deadlineStatement() {
        return deadlineStatement;
    }

    private <T> Mono<T> fetchOne(String sql, Function<? super Row, ? extends T> mapper, Object key) {
        return this.<T>queryOne(sql, mapper, key).switchIfEmpty(Mono.error(() -> new RowNotFoundException(key, sql)));
    }

    private static void checkOneMarker(String sql) {
        Objects.requireNonNull(sql, "sql");
        int markers = Sql.highestMarker(sql);
        if (markers != 1) {
            throw new IllegalArgumentException(
                    "a per-key query needs exactly one bind marker ($1) but it has " + markers + ": " + sql);
        }
    }

    private Mono<Session> acquire(boolean transactional) {
        return Mono.from(pool.create())
                .onErrorMap(this::poolError)
                .map(connection -> new Session(connection, this, transactional));
    }

    private Throwable poolError(Throwable error) {
        if (error instanceof R2dbcTimeoutException timeout
                && timeout.getMessage() != null
                && timeout.getMessage().startsWith(ACQUIRE_TIMEOUT_MESSAGE)) {
            return new PoolExhaustedException(
                    PoolExhaustedException.Reason.ACQUIRE_TIMEOUT, acquireTimeout, poolMetrics(), error);
        }
        if (error instanceof PoolAcquirePendingLimitException) {
            return new PoolExhaustedException(
                    PoolExhaustedException.Reason.TOO_MANY_WAITERS, acquireTimeout, poolMetrics(), error);
        }
        return error;
    }

    private <T> Flux<T> withSession(Function<Session, ? extends Publisher<T>> work) {
        return Flux.deferContextual(context -> {
            if (deadlineStatement != null && Deadline.current(context).isPresent()) {
                return transactional(null, work);
            }
            return Flux.usingWhen(
                    acquire(false),
                    work,
                    Session::release,
                    (session, error) -> session.release(),
                    Session::cancelAndRelease);
        });
    }

    private <T> Flux<T> transactional(
            @Nullable TransactionDefinition definition, Function<? super Session, ? extends Publisher<T>> work) {
        return Flux.usingWhen(
                acquire(true),
                session -> session.begin(definition).thenMany(Flux.defer(() -> work.apply(session))),
                Session::commitAndRelease,
                Session::rollbackAndRelease,
                Session::cancelAndRelease);
    }

    /**
     * Settings for a {@link Database}. Not thread-safe; {@link #build()} may be called more than once, each time
     * for a new pool.
     */
    public static final class Builder {

        private final ConnectionFactory factory;
        private int minIdle = DEFAULT_MIN_IDLE;
        private int maxSize = DEFAULT_MAX_SIZE;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private int maxPendingAcquires = DEFAULT_MAX_PENDING_ACQUIRES;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration maxIdleTime = DEFAULT_MAX_IDLE_TIME;
        private int fetchSize = DEFAULT_FETCH_SIZE;
        private @Nullable String validationQuery;
        private String name = "reactor-patterns-r2dbc";
        private @Nullable Function<Duration, String> deadlineStatement = Builder::postgresStatementTimeout;

        private Builder(ConnectionFactory factory) {
            this.factory = factory;
        }

        /**
         * Connections kept open even when idle (default {@value Database#DEFAULT_MIN_IDLE}).
         *
         * @param minIdle zero or more, at most {@link #maxSize(int) maxSize}
         * @return this builder
         * @throws IllegalArgumentException if {@code minIdle} is negative
         */
        public Builder minIdle(int minIdle) {
            if (minIdle < 0) {
                throw new IllegalArgumentException("minIdle >= 0 required but it was " + minIdle);
            }
            this.minIdle = minIdle;
            return this;
        }

        /**
         * The most connections open at once (default {@value Database#DEFAULT_MAX_SIZE}).
         *
         * @param maxSize at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxSize} is less than 1
         */
        public Builder maxSize(int maxSize) {
            if (maxSize <= 0) {
                throw new IllegalArgumentException("maxSize > 0 required but it was " + maxSize);
            }
            this.maxSize = maxSize;
            return this;
        }

        /**
         * The longest a caller waits for a connection before failing with a {@link PoolExhaustedException}
         * (default {@link Database#DEFAULT_ACQUIRE_TIMEOUT}). The wait is never retried, so this is the whole wait.
         *
         * @param acquireTimeout greater than zero
         * @return this builder
         * @throws NullPointerException if {@code acquireTimeout} is null
         * @throws IllegalArgumentException if {@code acquireTimeout} is zero or negative
         */
        public Builder acquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = positive(acquireTimeout, "acquireTimeout");
            return this;
        }

        /**
         * The most callers that may wait for a connection at once (default
         * {@value Database#DEFAULT_MAX_PENDING_ACQUIRES}); one more fails at once with a
         * {@link PoolExhaustedException} ({@link PoolExhaustedException.Reason#TOO_MANY_WAITERS}).
         *
         * @param maxPendingAcquires zero (no waiting at all) or more
         * @return this builder
         * @throws IllegalArgumentException if {@code maxPendingAcquires} is negative
         */
        public Builder maxPendingAcquires(int maxPendingAcquires) {
            if (maxPendingAcquires < 0) {
                throw new IllegalArgumentException("maxPendingAcquires >= 0 required but it was " + maxPendingAcquires);
            }
            this.maxPendingAcquires = maxPendingAcquires;
            return this;
        }

        /**
         * The longest opening a new connection may take (default {@link Database#DEFAULT_CONNECT_TIMEOUT}).
         *
         * @param connectTimeout greater than zero
         * @return this builder
         * @throws NullPointerException if {@code connectTimeout} is null
         * @throws IllegalArgumentException if {@code connectTimeout} is zero or negative
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long a connection may stay idle before it is closed, down to {@link #minIdle(int) minIdle}
         * (default {@link Database#DEFAULT_MAX_IDLE_TIME}).
         *
         * @param maxIdleTime greater than zero
         * @return this builder
         * @throws NullPointerException if {@code maxIdleTime} is null
         * @throws IllegalArgumentException if {@code maxIdleTime} is zero or negative
         */
        public Builder maxIdleTime(Duration maxIdleTime) {
            this.maxIdleTime = positive(maxIdleTime, "maxIdleTime");
            return this;
        }

        /**
         * Rows read per round trip while streaming (default {@value Database#DEFAULT_FETCH_SIZE}); 0 reads the
         * whole result at once, which a cancel cannot stop early.
         *
         * @param fetchSize zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code fetchSize} is negative
         */
        public Builder fetchSize(int fetchSize) {
            if (fetchSize < 0) {
                throw new IllegalArgumentException("fetchSize >= 0 required but it was " + fetchSize);
            }
            this.fetchSize = fetchSize;
            return this;
        }

        /**
         * A query that every connection must answer when it is lent, such as {@code "SELECT 1"}. By default a
         * connection is only checked locally (that it is open), which costs no round trip; a validation query
         * costs one per acquire but also catches a server that dropped the connection.
         *
         * @param validationQuery the query
         * @return this builder
         * @throws NullPointerException if {@code validationQuery} is null
         */
        public Builder validationQuery(String validationQuery) {
            this.validationQuery = Objects.requireNonNull(validationQuery, "validationQuery");
            return this;
        }

        /**
         * The pool's name, for r2dbc-pool's logs (default {@code "reactor-patterns-r2dbc"}).
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The statement that hands a caller's remaining {@link Deadline} to the server, run at the start of each
         * statement under a deadline, inside its transaction. The default is PostgreSQL's
         * {@code SET LOCAL statement_timeout = <milliseconds>}; give another driver's equivalent, or
         * {@code null} to keep deadlines on the client only (statements then run outside a transaction even under
         * a deadline, and a cancel is still sent to the server).
         *
         * @param deadlineStatement builds the SQL from the time left (at least one millisecond), or null
         * @return this builder
         */
        public Builder deadlineStatement(@Nullable Function<Duration, String> deadlineStatement) {
            this.deadlineStatement = deadlineStatement;
            return this;
        }

        /**
         * Creates the database and its pool (no connection is opened yet; see {@link Database#warmup()}).
         *
         * @return a new database
         * @throws IllegalStateException if {@code minIdle} is greater than {@code maxSize}
         */
        public Database build() {
            if (minIdle > maxSize) {
                throw new IllegalStateException(
                        "minIdle must be <= maxSize but minIdle was " + minIdle + " and maxSize " + maxSize);
            }
            return new Database(this);
        }

        private static String postgresStatementTimeout(Duration left) {
            return "SET LOCAL statement_timeout = " + Math.max(1, left.toMillis());
        }

        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " > 0 required but it was " + duration);
            }
            return duration;
        }
    }
}
