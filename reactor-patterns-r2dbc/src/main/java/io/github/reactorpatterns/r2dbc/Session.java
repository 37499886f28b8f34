package io.github.reactorpatterns.r2dbc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One pooled connection inside a unit of work: what a {@link Database#transaction(Function) transaction function}
 * receives, the reactive form of an SQLAlchemy {@code AsyncSession} or an asyncpg connection inside
 * {@code async with conn.transaction()}. Every statement runs in that transaction.
 *
 * <p>Bind markers are PostgreSQL's {@code $1}, {@code $2}, ... and each argument is bound by position with
 * {@link Statement#bind(int, Object)}; a SQL {@code NULL} is bound with {@code io.r2dbc.spi.Parameters.in(type)}.
 * The SQL and the number of arguments are checked when a method is called, not when it is subscribed.
 *
 * <p>Statements are lazy: nothing is sent before subscription. Rows are read with the database's fetch size (a
 * server-side cursor read in batches as the subscriber asks for rows). When the {@code Context} carries a
 * {@link Deadline}, each statement first sets the server's {@code statement_timeout} for the rest of the
 * transaction ({@code SET LOCAL}) to the time left, and a statement stopped by that timeout fails with a
 * {@link DeadlineExceededException} (its cause the driver's error).
 *
 * <p>A session is valid only while its transaction function runs; it must not be kept. Statements issued at once
 * (for example through {@code Mono.zip}) are queued on the one connection and run one after the other.
 */
public final class Session {

    private final Connection connection;
    private final Database database;
    private final boolean transactional;
    private final AtomicBoolean cancelledWhileRunning = new AtomicBoolean();

    Session(Connection connection, Database database, boolean transactional) {
        this.connection = connection;
        this.database = database;
        this.transactional = transactional;
    }

    /**
     * Runs a query and streams its rows, each mapped by {@code mapper}, as the subscriber asks for them.
     *
     * <p>Cancelling stops reading: the driver closes the cursor after at most one more batch, and if no row had
     * arrived yet the statement is also cancelled on the server. An empty result completes empty; a database error
     * is the driver's {@code R2dbcException}, unchanged.
     *
     * @param sql the query, with {@code $1}, {@code $2}, ... bind markers
     * @param mapper turns one row into a value; called on the driver's thread, must not return null
     * @param args the values of the bind markers, in order
     * @param <T> the type of the values
     * @return a lazy {@code Flux} of the mapped rows
     * @throws NullPointerException if {@code sql}, {@code mapper}, {@code args} or one of the arguments is null
     *         (the message names it, such as {@code "args[1]"})
     * @throws IllegalArgumentException if the number of arguments is not the number of bind markers
     */
    public <T> Flux<T> query(String sql, Function<? super Row, ? extends T> mapper, Object... args) {
        Object[] bound = Sql.check(sql, args);
        Objects.requireNonNull(mapper, "mapper");
        return rows(sql, mapper, bound);
    }

    /**
     * Runs a query and emits its first row, mapped: asyncpg's {@code fetchrow}. Completes empty if there is no row;
     * further rows are not read.
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
        return this.<T>query(sql, mapper, args).next();
    }

    /**
     * Runs a statement (an {@code INSERT}, {@code UPDATE}, {@code DELETE} or DDL) and emits the number of rows it
     * changed: asyncpg's {@code execute}.
     *
     * @param sql the statement, with {@code $1}, {@code $2}, ... bind markers
     * @param args the values of the bind markers, in order
     * @return a lazy {@code Mono} of the number of rows changed (0 for statements that change none)
     * @throws NullPointerException if {@code sql}, {@code args} or one of the arguments is null
     * @throws IllegalArgumentException if the number of arguments is not the number of bind markers
     */
    public Mono<Long> execute(String sql, Object... args) {
        Object[] bound = Sql.check(sql, args);
        return run(sql, bound, statement -> Flux.from(statement.execute()).concatMap(Result::getRowsUpdated))
                .reduce(0L, Long::sum);
    }

    /**
     * The pooled connection itself, for what this class does not offer (batches, savepoints, driver-specific
     * calls). Do not close it or end its transaction: the database does that when the transaction function ends.
     *
     * @return the connection of this session
     */
    public Connection connection() {
        return connection;
    }

    <T> Flux<T> rows(String sql, Function<? super Row, ? extends T> mapper, Object[] bound) {
        return run(
                sql,
                bound,
                statement -> Flux.from(statement.execute())
                        .concatMap(result -> result.map((row, metadata) -> mapper.apply(row))));
    }

    private <T> Flux<T> run(String sql, Object[] args, Function<Statement, Flux<T>> execute) {
        return Flux.deferContextual(context -> {
            Deadline deadline = Deadline.current(context).orElse(null);
            AtomicBoolean answered = new AtomicBoolean();
            Flux<T> statement = Flux.defer(() -> execute.apply(
                    Sql.bind(connection.createStatement(sql), args).fetchSize(database.fetchSize())));
            Function<Duration, String> timeout = database.deadlineStatement();
            if (deadline != null && transactional && timeout != null) {
                Duration left = deadline.timeLeft();
                if (left.isZero()) {
                    return Flux.error(new DeadlineExceededException(deadline.budget()));
                }
                String set = timeout.apply(left);
                statement = Flux.from(connection.createStatement(set).execute())
                        .concatMap(Result::getRowsUpdated)
                        .thenMany(statement);
            }
            Flux<T> tracked = statement.doOnNext(row -> answered.lazySet(true)).doOnCancel(() -> {
                if (!answered.get()) {
                    cancelledWhileRunning.set(true);
                }
            });
            if (deadline == null) {
                return tracked;
            }
            return tracked.onErrorMap(error -> Sql.hasSqlState(error, "57014"), error -> {
                DeadlineExceededException exceeded = new DeadlineExceededException(deadline.budget());
                exceeded.initCause(error);
                return exceeded;
            });
        });
    }

    Mono<Void> begin(io.r2dbc.spi.@Nullable TransactionDefinition definition) {
        return Mono.from(definition == null ? connection.beginTransaction() : connection.beginTransaction(definition));
    }

    /** Completion of a transaction: commit, then back to the pool; a failed commit rolls back and fails. */
    Mono<Void> commitAndRelease() {
        if (!transactional) {
            return release();
        }
        return Mono.from(connection.commitTransaction())
                .onErrorResume(error -> rollbackQuietly(error).then(release()).then(Mono.error(error)))
                .then(release());
    }

    /** Error of the work: roll back, then back to the pool. The rollback's own failure is added as suppressed. */
    Mono<Void> rollbackAndRelease(Throwable error) {
        return cancelOnServerIfRunning().then(rollbackQuietly(error)).then(release());
    }

    /** Cancel of the work: cancel a running statement on the server, roll back, then back to the pool. */
    Mono<Void> cancelAndRelease() {
        return cancelOnServerIfRunning().then(rollbackQuietly(null)).then(release());
    }

    private Mono<Void> cancelOnServerIfRunning() {
        return Mono.defer(
                () -> cancelledWhileRunning.getAndSet(false) ? ServerCancel.cancel(connection) : Mono.empty());
    }

    private Mono<Void> rollbackQuietly(@Nullable Throwable cause) {
        if (!transactional) {
            return Mono.empty();
        }
        return Mono.from(connection.rollbackTransaction()).onErrorResume(failed -> {
            if (cause != null && cause != failed) {
                cause.addSuppressed(failed);
            }
            return discard();
        });
    }

    /**
     * Closes the physical connection so that the pool drops it instead of lending it again in an unknown state
     * (r2dbc-pool validates a connection when it comes back and invalidates a closed one).
     */
    private Mono<Void> discard() {
        Object inner = connection instanceof Wrapped<?> wrapped ? wrapped.unwrap() : null;
        if (inner instanceof Connection physical && physical != connection) {
            return Mono.from(physical.close()).onErrorResume(ignored -> Mono.empty());
        }
        return Mono.empty();
    }

    Mono<Void> release() {
        return Mono.from(connection.close());
    }
}
