package io.github.reactorpatterns.r2dbc;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.github.reactorpatterns.test.PostgresServer;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;

/** Databases on the JVM's shared {@link PostgresServer}, each pool with its own application name. */
final class TestDatabases {

    static final Duration LOADED_MACHINE_WAIT = Duration.ofSeconds(60);

    private TestDatabases() {}

    static PostgresServer server() {
        return PostgresServer.shared();
    }

    static ConnectionFactory factory(String applicationName) {
        return ConnectionFactories.get(server().r2dbcUrl() + "?applicationName=" + applicationName);
    }

    /** A new database (pool) whose sessions show as {@code application_name = name} in pg_stat_activity. */
    static Database database(String applicationName, UnaryOperator<Database.Builder> settings) {
        // the machine that runs the tests may be heavily loaded: a new connection can take seconds
        return settings.apply(Database.builder(factory(applicationName))
                        .acquireTimeout(LOADED_MACHINE_WAIT)
                        .connectTimeout(LOADED_MACHINE_WAIT))
                .build();
    }

    static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** A small pool for looking at the server (pg_stat_activity) from outside the pool under test. */
    static Database monitor() {
        return database("monitor", b -> b.minIdle(0).maxSize(2));
    }

    /** Sessions of one application in a given state, as the server sees them. */
    static long sessions(Database monitor, String applicationName, String state) {
        Long count = monitor.queryOne(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1" + " AND state = $2",
                        row -> row.get(0, Long.class),
                        applicationName,
                        state)
                .block();
        return count == null ? 0 : count;
    }

    /** Connections of one application, whatever their state. */
    static long connections(Database monitor, String applicationName) {
        Long count = monitor.queryOne(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                        row -> row.get(0, Long.class),
                        applicationName)
                .block();
        return count == null ? 0 : count;
    }

    /** Statements of one application that the server is still running and whose text contains {@code text}. */
    static long running(Database monitor, String applicationName, String text) {
        Long count = monitor.queryOne(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
                                + " AND state = 'active' AND position($2 in query) > 0",
                        row -> row.get(0, Long.class),
                        applicationName,
                        text)
                .block();
        return count == null ? 0 : count;
    }

    /** Every connection lent by {@code db} has come back (released after the subscriber saw its signal). */
    static void awaitAllReturned(Database db) {
        await().atMost(Duration.ofSeconds(30)).until(() -> db.poolMetrics().acquired() == 0);
    }
}
