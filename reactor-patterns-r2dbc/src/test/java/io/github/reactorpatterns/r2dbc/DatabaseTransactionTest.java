package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.time.Deadline;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The unit of work: commit on success; roll back on an exception, a constraint violation and a cancel. */
class DatabaseTransactionTest {

    private static final String APP = TestDatabases.uniqueName("tx");
    private static final String TABLE = TestDatabases.uniqueName("accounts");
    private static Database db;
    private static Database monitor;

    @BeforeAll
    static void start() {
        db = TestDatabases.database(APP, b -> b.minIdle(2).maxSize(4));
        monitor = TestDatabases.monitor();
        db.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, balance int NOT NULL)")
                .block(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @AfterAll
    static void stop() {
        db.execute("DROP TABLE " + TABLE).block(TestDatabases.LOADED_MACHINE_WAIT);
        db.close();
        monitor.close();
    }

    @BeforeEach
    void empty() {
        db.execute("DELETE FROM " + TABLE).block(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @Test
    void successCommits() {
        StepVerifier.create(db.transaction(tx -> tx.execute("INSERT INTO " + TABLE + " VALUES (1, 100)")
                        .then(tx.execute("INSERT INTO " + TABLE + " VALUES (2, 200)"))
                        .then(tx.queryOne("SELECT sum(balance) FROM " + TABLE, row -> row.get(0, Long.class)))))
                .expectNext(300L)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(rows()).isEqualTo(2);
        assertCleanAfterwards();
    }

    @Test
    void anExceptionRollsBackAndPropagatesUnchanged() {
        IllegalStateException boom = new IllegalStateException("boom");
        StepVerifier.create(db.transaction(tx ->
                        tx.execute("INSERT INTO " + TABLE + " VALUES (1, 100)").then(Mono.error(boom))))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(boom))
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(rows()).isZero();
        assertCleanAfterwards();
    }

    @Test
    void aThrowingWorkFunctionRollsBack() {
        StepVerifier.create(db.transaction(tx -> {
                    throw new IllegalArgumentException("bad work");
                }))
                .expectErrorMessage("bad work")
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertCleanAfterwards();
    }

    @Test
    void aConstraintViolationRollsBackWithTheDriversException() {
        StepVerifier.create(db.transaction(tx -> tx.execute("INSERT INTO " + TABLE + " VALUES (1, 100)")
                        .then(tx.execute("INSERT INTO " + TABLE + " VALUES (1, 200)"))))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(R2dbcDataIntegrityViolationException.class);
                    assertThat(((R2dbcException) error).getSqlState()).isEqualTo("23505");
                })
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(rows()).isZero();
        assertCleanAfterwards();
    }

    @Test
    void aCancelByTimeoutRollsBackAndStopsTheServer() {
        StepVerifier.create(db.transaction(tx -> tx.execute("INSERT INTO " + TABLE + " VALUES (1, 100)")
                                .then(tx.execute("SELECT pg_sleep(30)")))
                        .timeout(Duration.ofMillis(1500)))
                .expectError(TimeoutException.class)
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertCleanAfterwards();
        assertThat(rows()).isZero();
    }

    @Test
    void aSerializationFailureIsRetriedAndSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        Mono<Long> transfer = db.transaction(
                IsolationLevel.SERIALIZABLE,
                tx -> {
                    int attempt = attempts.incrementAndGet();
                    Mono<Long> insert = tx.execute("INSERT INTO " + TABLE + " VALUES (1, 100)");
                    if (attempt == 1) {
                        // what PostgreSQL reports when a concurrent transaction wins: SQLSTATE 40001
                        return insert.then(tx.execute("DO $$ BEGIN RAISE EXCEPTION 'could not serialize access'"
                                + " USING ERRCODE = 'serialization_failure'; END $$"));
                    }
                    return insert;
                },
                RetryPolicy.backoff(3, Duration.ofMillis(10)).build());
        StepVerifier.create(transfer).expectNext(1L).expectComplete().verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(attempts).hasValue(2);
        assertThat(rows()).isEqualTo(1);
        assertCleanAfterwards();
    }

    @Test
    void aRealWriteSkewBetweenTwoSerializableTransactionsIsRetried() {
        db.execute("INSERT INTO " + TABLE + " VALUES (1, 100), (2, 100)").block(TestDatabases.LOADED_MACHINE_WAIT);
        AtomicInteger attempts = new AtomicInteger();
        // both read the sum, then each moves money based on it: one of them must fail with 40001 and run again
        java.util.function.Function<Integer, Mono<Long>> withdraw = id -> db.transaction(
                IsolationLevel.SERIALIZABLE,
                tx -> {
                    attempts.incrementAndGet();
                    return tx.queryOne("SELECT sum(balance) FROM " + TABLE, row -> row.get(0, Long.class))
                            .delayElement(Duration.ofMillis(300))
                            .flatMap(sum -> tx.execute(
                                    "UPDATE " + TABLE + " SET balance = balance - 150" + " WHERE id = $1 AND $2 >= 150",
                                    id,
                                    sum));
                },
                RetryPolicy.backoff(5, Duration.ofMillis(20)).build());
        StepVerifier.create(Mono.zip(withdraw.apply(1), withdraw.apply(2)))
                .assertNext(both -> assertThat(both.getT1() + both.getT2()).isEqualTo(1L))
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
        assertCleanAfterwards();
    }

    @Test
    void otherErrorsAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.create(db.transaction(
                        IsolationLevel.READ_COMMITTED,
                        tx -> {
                            attempts.incrementAndGet();
                            return tx.execute("INSERT INTO " + TABLE + " VALUES (1, 1), (1, 2)");
                        },
                        RetryPolicy.backoff(3, Duration.ofMillis(10)).build()))
                .expectError(R2dbcDataIntegrityViolationException.class)
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(attempts).hasValue(1);
        assertCleanAfterwards();
    }

    /** Regression: taking the first row with next() cancelled the transaction under a deadline: a rollback. */
    @Test
    void aStatementUnderADeadlineCommitsItsOwnTransaction() {
        StepVerifier.create(db.queryOne(
                                "INSERT INTO " + TABLE + " VALUES (7, 7) RETURNING id",
                                row -> row.get(0, Integer.class))
                        .transform(Deadline.within(Duration.ofSeconds(30))))
                .expectNext(7)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        StepVerifier.create(db.execute("INSERT INTO " + TABLE + " VALUES (8, 8)")
                        .transform(Deadline.within(Duration.ofSeconds(30))))
                .expectNext(1L)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(rows()).isEqualTo(2);
        assertCleanAfterwards();
    }

    @Test
    void anEmptyUnitOfWorkCommitsAndCompletesEmpty() {
        StepVerifier.create(db.transaction(tx ->
                        tx.execute("INSERT INTO " + TABLE + " VALUES (5, 5)").then()))
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void retryableFailuresAreTheTwoSqlStates() {
        assertThat(Database.isRetryableTransactionFailure(new IllegalStateException()))
                .isFalse();
        assertThat(Database.isRetryableTransactionFailure(new io.r2dbc.spi.R2dbcRollbackException("x", "40001")))
                .isTrue();
        assertThat(Database.isRetryableTransactionFailure(
                        new RuntimeException(new io.r2dbc.spi.R2dbcRollbackException("x", "40P01"))))
                .isTrue();
        assertThat(Database.isRetryableTransactionFailure(new io.r2dbc.spi.R2dbcRollbackException("x", "40002")))
                .isFalse();
        assertThatNullPointerException()
                .isThrownBy(() -> Database.isRetryableTransactionFailure(null))
                .withMessage("error");
    }

    @Test
    void badArgumentsFailAtCallTime() {
        assertThatNullPointerException().isThrownBy(() -> db.transaction(null)).withMessage("work");
        assertThatNullPointerException()
                .isThrownBy(() -> db.transactionMany(null))
                .withMessage("work");
        assertThatNullPointerException()
                .isThrownBy(() -> db.transaction(null, tx -> Mono.empty()))
                .withMessage("definition");
        assertThatNullPointerException()
                .isThrownBy(() -> db.transaction(IsolationLevel.SERIALIZABLE, tx -> Mono.empty(), null))
                .withMessage("retry");
    }

    private static long rows() {
        Long n = db.queryOne("SELECT count(*) FROM " + TABLE, row -> row.get(0, Long.class))
                .block(TestDatabases.LOADED_MACHINE_WAIT);
        return n == null ? -1 : n;
    }

    /** Connections back in the pool, nothing idle in transaction, nothing still running on the server. */
    private static void assertCleanAfterwards() {
        TestDatabases.awaitAllReturned(db);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(TestDatabases.sessions(monitor, APP, "idle in transaction"))
                    .isZero();
            assertThat(TestDatabases.sessions(monitor, APP, "idle in transaction (aborted)"))
                    .isZero();
            assertThat(TestDatabases.running(monitor, APP, "pg_sleep")).isZero();
        });
    }
}
