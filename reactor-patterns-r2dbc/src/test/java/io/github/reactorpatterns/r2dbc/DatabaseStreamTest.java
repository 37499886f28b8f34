package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Rows streamed from a cursor: demand-driven batches, a cheap cancel, a transaction that commits at the end. */
class DatabaseStreamTest {

    private static final String MILLION = "SELECT g FROM generate_series(1, 1000000) g";
    private static final String APP = TestDatabases.uniqueName("stream");
    private static final String TABLE = TestDatabases.uniqueName("streamed");
    private static Database db;
    private static Database monitor;

    @BeforeAll
    static void start() {
        db = TestDatabases.database(APP, b -> b.minIdle(1).maxSize(1));
        monitor = TestDatabases.monitor();
        db.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY)").block(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @AfterAll
    static void stop() {
        db.execute("DROP TABLE " + TABLE).block(TestDatabases.LOADED_MACHINE_WAIT);
        db.close();
        monitor.close();
    }

    @Test
    void aThousandRequestedAreExactlyAThousandDelivered() {
        StepVerifier.create(db.query(MILLION, row -> row.get(0, Integer.class)), 0)
                .thenRequest(1000)
                .expectNextCount(1000)
                .expectNoEvent(Duration.ofMillis(500))
                .thenRequest(1)
                .expectNext(1001)
                .thenCancel()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        TestDatabases.awaitAllReturned(db);
    }

    /** One connection only: the next query runs on the very connection whose stream was cancelled. */
    @Test
    void takeThenANewQueryAnswersFastBecauseTheCancelIsCheap() {
        StepVerifier.create(db.query(MILLION, row -> row.get(0, Integer.class))
                        .take(1000)
                        .count())
                .expectNext(1000L)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        long start = System.nanoTime();
        StepVerifier.create(db.queryOne("SELECT 42", row -> row.get(0, Integer.class)))
                .expectNext(42)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        // reading and discarding the other 999,000 rows takes seconds; closing the cursor takes one round trip
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(TestDatabases.running(monitor, APP, "generate_series")).isZero();
    }

    @Test
    void aStreamInsideATransactionCommitsOnlyAtItsEnd() {
        Flux<Integer> rows = db.transactionMany(session -> session.execute("INSERT INTO " + TABLE + " VALUES (1)")
                .thenMany(session.query("SELECT g FROM generate_series(1, 2000) g", row -> row.get(0, Integer.class))));
        Database reader = TestDatabases.database(
                TestDatabases.uniqueName("reader"), b -> b.minIdle(0).maxSize(1));
        try (reader) {
            StepVerifier.create(rows, 0)
                    .thenRequest(500)
                    .expectNextCount(500)
                    .then(() ->
                            assertThat(count(reader)).as("not yet committed").isZero())
                    .thenRequest(Long.MAX_VALUE)
                    .expectNextCount(1500)
                    .expectComplete()
                    .verify(TestDatabases.LOADED_MACHINE_WAIT);
            assertThat(count(reader)).as("committed").isEqualTo(1);
        }
        TestDatabases.awaitAllReturned(db);
    }

    @Test
    void anEmptyResultCompletesEmpty() {
        StepVerifier.create(db.query("SELECT 1 WHERE false", row -> 1))
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @Test
    void nothingHappensBeforeSubscription() {
        Flux<Integer> never =
                db.query("INSERT INTO " + TABLE + " VALUES (99) RETURNING id", row -> row.get(0, Integer.class));
        assertThat(never).isNotNull();
        assertThat(db.queryOne("SELECT count(*) FROM " + TABLE + " WHERE id = 99", row -> row.get(0, Long.class))
                        .block(TestDatabases.LOADED_MACHINE_WAIT))
                .isZero();
    }

    private static long count(Database reader) {
        Long n = reader.queryOne("SELECT count(*) FROM " + TABLE + " WHERE id = 1", row -> row.get(0, Long.class))
                .block(TestDatabases.LOADED_MACHINE_WAIT);
        return n == null ? -1 : n;
    }
}
