package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The caller's deadline reaches the server; a cancelled statement is cancelled on the server. */
class DatabaseDeadlineTest {

    private static final String APP = TestDatabases.uniqueName("deadline");
    private static Database db;
    private static Database monitor;

    @BeforeAll
    static void start() {
        db = TestDatabases.database(APP, b -> b.minIdle(1).maxSize(1));
        db.warmup().block(TestDatabases.LOADED_MACHINE_WAIT);
        monitor = TestDatabases.monitor();
        monitor.warmup().block(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @AfterAll
    static void stop() {
        db.close();
        monitor.close();
    }

    @Test
    void aSleepUnderAHalfSecondDeadlineEndsWithinASecondAndTheServerStopsIt() {
        long start = System.nanoTime();
        StepVerifier.create(
                        db.queryOne("SELECT pg_sleep(10)", row -> 1).transform(Deadline.within(Duration.ofMillis(500))))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(DeadlineExceededException.class);
                    assertThat(((DeadlineExceededException) error).budget()).isEqualTo(Duration.ofMillis(500));
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
                })
                .verify(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> TestDatabases.running(monitor, APP, "pg_sleep") == 0);
        TestDatabases.awaitAllReturned(db);
        assertThat(TestDatabases.sessions(monitor, APP, "idle in transaction")).isZero();
    }

    @Test
    void theServerTimeoutIsReportedAsTheDeadline() {
        // the server's timeout is made shorter than the client's, so the server's error arrives first
        try (Database serverFirst = TestDatabases.database(
                TestDatabases.uniqueName("serverfirst"),
                b -> b.minIdle(0).maxSize(1).deadlineStatement(left -> "SET LOCAL statement_timeout = 100"))) {
            StepVerifier.create(serverFirst
                            .queryOne("SELECT pg_sleep(10)", row -> 1)
                            .transform(Deadline.within(Duration.ofSeconds(20))))
                    .expectErrorSatisfies(error -> {
                        assertThat(error)
                                .isInstanceOf(DeadlineExceededException.class)
                                .hasMessage("deadline of 20000ms exceeded");
                        assertThat(error.getCause()).isInstanceOf(R2dbcException.class);
                        assertThat(((R2dbcException) error.getCause()).getSqlState())
                                .isEqualTo("57014");
                    })
                    .verify(Duration.ofSeconds(15));
        }
    }

    @Test
    void theTimeoutDoesNotLeakIntoTheNextUserOfTheConnection() {
        StepVerifier.create(db.queryOne("SHOW statement_timeout", row -> row.get(0, String.class))
                        .transform(Deadline.within(Duration.ofSeconds(30))))
                .assertNext(value -> assertThat(value).endsWith("s").isNotEqualTo("0"))
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        // one connection only: the same one, outside the deadline
        StepVerifier.create(db.queryOne("SHOW statement_timeout", row -> row.get(0, String.class)))
                .expectNext("0")
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @Test
    void aCancelledStatementIsCancelledOnTheServer() {
        StepVerifier.create(db.execute("SELECT pg_sleep(30)").timeout(Duration.ofMillis(1000)))
                .expectError(TimeoutException.class)
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        // without a CancelRequest the server would sleep on for 29 seconds and hold the only connection
        await().atMost(Duration.ofSeconds(5)).until(() -> TestDatabases.running(monitor, APP, "pg_sleep") == 0);
        StepVerifier.create(db.queryOne("SELECT 1", row -> row.get(0, Integer.class)))
                .expectNext(1)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anExpiredDeadlineRunsNothing() {
        StepVerifier.create(db.queryOne("SELECT 1", row -> 1)
                        .delaySubscription(Duration.ofMillis(300))
                        .transform(Deadline.within(Duration.ofMillis(100))))
                .expectError(DeadlineExceededException.class)
                .verify(Duration.ofSeconds(5));
        TestDatabases.awaitAllReturned(db);
    }
}
