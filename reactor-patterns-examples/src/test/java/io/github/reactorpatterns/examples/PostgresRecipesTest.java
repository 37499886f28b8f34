package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.github.reactorpatterns.r2dbc.Database;
import io.github.reactorpatterns.test.PostgresServer;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The database recipes against a real PostgreSQL from the test kit. */
class PostgresRecipesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Database db;

    @BeforeAll
    static void start() {
        db = Database.builder(PostgresServer.shared().r2dbcUrl())
                .acquireTimeout(WAIT)
                .connectTimeout(WAIT)
                .build();
        db.execute("CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, active boolean NOT NULL)")
                .then(db.execute("INSERT INTO users SELECT g, 'user ' || g, g % 2 = 0 FROM generate_series(1, 50) g"))
                .block(WAIT);
    }

    @AfterAll
    static void stop() {
        db.execute("DROP TABLE users").block(WAIT);
        db.close();
    }

    @Test
    void thePoolHasTheSeedsSizes() {
        try (Database pool = PostgresRecipes.createPool(PostgresServer.shared().r2dbcUrl())) {
            assertThat(pool.poolMetrics().maxSize()).isEqualTo(20);
            assertThat(pool.warmup().block(WAIT)).isEqualTo(5);
            StepVerifier.create(PostgresRecipes.activeUsers(pool).take(2))
                    .expectNext("user 2", "user 4")
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    @Test
    void fetchBatchKeepsTheOrderOfTheIds() {
        List<Integer> ids = IntStream.of(7, 3, 42, 1).boxed().toList();
        StepVerifier.create(PostgresRecipes.fetchBatch(ids, db, 2))
                .expectNext(List.of("user 7", "user 3", "user 42", "user 1"))
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void streamRowsStopsEarlyAndGivesTheConnectionBack() {
        StepVerifier.create(PostgresRecipes.streamRows(db).take(3))
                .expectNext("user 1", "user 2", "user 3")
                .expectComplete()
                .verify(WAIT);
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> db.poolMetrics().acquired() == 0);
    }

    @Test
    void getDbCommitsOnSuccessAndRollsBackOnError() {
        StepVerifier.create(PostgresRecipes.createUser(db, 100, "ada"))
                .expectNext(1L)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(PostgresRecipes.withUnitOfWork(
                        db,
                        session -> session.execute("INSERT INTO users VALUES (101, 'bob', true)")
                                .then(session.execute("INSERT INTO users VALUES (100, 'dup', true)"))))
                .expectError(R2dbcDataIntegrityViolationException.class)
                .verify(WAIT);
        StepVerifier.create(
                        db.query("SELECT name FROM users WHERE id >= 100 ORDER BY id", row -> row.get(0, String.class))
                                .collectList())
                .expectNext(List.of("ada"))
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(PostgresRecipes.withUnitOfWork(db, session -> Mono.just("no statement")))
                .expectNext("no statement")
                .expectComplete()
                .verify(WAIT);
    }
}
