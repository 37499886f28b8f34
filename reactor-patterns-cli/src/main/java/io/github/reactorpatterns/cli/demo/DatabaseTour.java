package io.github.reactorpatterns.cli.demo;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.github.reactorpatterns.r2dbc.Database;
import io.github.reactorpatterns.r2dbc.PoolMetrics;
import io.github.reactorpatterns.test.PostgresServer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The database step of the tour, on an embedded PostgreSQL: a large table streamed lazily and stopped after a few
 * rows, the connection back in the pool at once, and a transaction cancelled by a timeout that rolls back.
 */
final class DatabaseTour {

    static final int ROWS = 100_000;
    static final int TAKE = 5;
    static final Duration TX_TIMEOUT = Duration.ofMillis(500);
    static final String PATTERN = "database: lazy stream, cancel, rollback (r2dbc Database)";

    /** Starts a server for this step only and stops it afterwards. */
    Mono<Step> streamAndRollback() {
        // starting and stopping the server fork processes and wait for them: never on a non-blocking thread
        return Mono.usingWhen(
                Mono.fromCallable(PostgresServer::start).subscribeOn(Schedulers.boundedElastic()),
                server -> Mono.usingWhen(
                        Mono.fromCallable(() -> Database.builder(server.r2dbcUrl())
                                        .minIdle(1)
                                        .maxSize(2)
                                        .build())
                                .subscribeOn(Schedulers.boundedElastic()),
                        DatabaseTour::run,
                        Database::disposeLater),
                server -> Mono.fromRunnable(server::close).subscribeOn(Schedulers.boundedElastic()));
    }

    private static Mono<Step> run(Database db) {
        long start = System.nanoTime();
        AtomicLong mapped = new AtomicLong();
        Mono<Long> create = db.execute("CREATE TABLE events AS SELECT g AS id, md5(g::text) AS payload"
                + " FROM generate_series(1, " + ROWS + ") g");
        Mono<List<Integer>> firstRows = db.query("SELECT id, payload FROM events ORDER BY id", row -> {
                    mapped.incrementAndGet();
                    return row.get("id", Integer.class);
                })
                .take(TAKE)
                .collectList();
        Mono<Long> cancelledTransaction = db.transaction(tx ->
                        tx.execute("INSERT INTO events VALUES (0, 'new')").then(tx.execute("SELECT pg_sleep(30)")))
                .timeout(TX_TIMEOUT)
                .onErrorResume(TimeoutException.class, e -> Mono.just(-1L));
        Mono<Long> inserted = db.queryOne("SELECT count(*) FROM events WHERE id = 0", row -> row.get(0, Long.class));
        return create.then(firstRows)
                .flatMap(ids -> returned(db)
                        .flatMap(afterStream -> cancelledTransaction
                                .then(returned(db))
                                .flatMap(afterTx -> inserted.map(count -> {
                                    boolean ok = ids.equals(List.of(1, 2, 3, 4, 5))
                                            && mapped.get() <= Database.DEFAULT_FETCH_SIZE
                                            && afterStream.acquired() == 0
                                            && afterTx.acquired() == 0
                                            && count == 0;
                                    String took = String.format(Locale.ROOT, "%,d", ROWS);
                                    return new Step(
                                            PATTERN,
                                            "took " + TAKE + " of " + took
                                                    + " rows; connection back in the pool; the cancelled "
                                                    + "transaction rolled back",
                                            List.of(
                                                    "embedded PostgreSQL, table of " + took
                                                            + " rows; db.query(...).take(" + TAKE
                                                            + ") -> " + ids + ", " + mapped.get()
                                                            + " rows mapped (fetch size "
                                                            + Database.DEFAULT_FETCH_SIZE
                                                            + ": the cursor stopped after one batch)",
                                                    "pool after the cancel: acquired " + afterStream.acquired()
                                                            + ", idle " + afterStream.idle(),
                                                    "transaction INSERT + pg_sleep(30) cut by timeout("
                                                            + TX_TIMEOUT.toMillis()
                                                            + " ms): the server query was cancelled, the INSERT rolled back ("
                                                            + count + " rows with id 0), pool acquired "
                                                            + afterTx.acquired()),
                                            Duration.ofNanos(System.nanoTime() - start),
                                            ok);
                                }))));
    }

    /** The pool's state once every connection is back (released just after the subscriber saw its signal). */
    private static Mono<PoolMetrics> returned(Database db) {
        return Flux.interval(Duration.ZERO, Duration.ofMillis(10))
                .map(tick -> db.poolMetrics())
                .filter(metrics -> metrics.acquired() == 0)
                .next()
                .timeout(Duration.ofSeconds(10), Mono.fromCallable(db::poolMetrics));
    }
}
