package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.github.reactorpatterns.concurrent.Outcome;
import io.r2dbc.spi.R2dbcBadGrammarException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The seed's fetch_batch: one fetchrow per id, at most N at once, in order; settle-all keeps going. */
class DatabaseFetchTest {

    private static final String APP = TestDatabases.uniqueName("fetch");
    private static final String TABLE = TestDatabases.uniqueName("items");
    private static Database db;

    @BeforeAll
    static void createTable() {
        db = TestDatabases.database(APP, b -> b);
        db.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, name text NOT NULL)")
                .then(db.execute("INSERT INTO " + TABLE + " SELECT g, 'item ' || g FROM generate_series(1, 1000) g"))
                .block(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @AfterAll
    static void dropTable() {
        db.execute("DROP TABLE " + TABLE).block(TestDatabases.LOADED_MACHINE_WAIT);
        db.close();
    }

    private static String byId() {
        return "SELECT name FROM " + TABLE + " WHERE id = $1";
    }

    @Test
    void thousandRowsAtConcurrencyTenComeInOrderOnAtMostTenConnections() {
        List<Integer> ids = IntStream.rangeClosed(1, 1000).boxed().toList();
        AtomicInteger mostAcquired = new AtomicInteger();

        List<String> names = db.fetchEach(ids, 10, byId(), row -> {
                    mostAcquired.accumulateAndGet(db.poolMetrics().acquired(), Math::max);
                    return row.get("name", String.class);
                })
                .collectList()
                .block(TestDatabases.LOADED_MACHINE_WAIT);

        List<String> expected = new ArrayList<>();
        ids.forEach(id -> expected.add("item " + id));
        assertThat(names).containsExactlyElementsOf(expected);
        assertThat(mostAcquired.get()).isBetween(1, 10);
        TestDatabases.awaitAllReturned(db);
    }

    @Test
    void settledReportsAMissingIdAsItsOwnFailure() {
        List<Integer> ids = List.of(1, 2, 5000, 4);
        StepVerifier.create(db.fetchEachSettled(ids, 10, byId(), row -> row.get("name", String.class)))
                .expectNext(Outcome.success("item 1"), Outcome.success("item 2"))
                .assertNext(outcome -> {
                    assertThat(outcome.error()).get().isInstanceOf(RowNotFoundException.class);
                    RowNotFoundException missing =
                            (RowNotFoundException) outcome.error().orElseThrow();
                    assertThat(missing.key()).isEqualTo(5000);
                    assertThat(missing.sql()).isEqualTo(byId());
                    assertThat(missing).hasMessage("no row for key 5000: " + byId());
                })
                .expectNext(Outcome.success("item 4"))
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        TestDatabases.awaitAllReturned(db);
    }

    @Test
    void failFastStopsAtTheMissingIdAndReturnsEveryConnection() {
        List<Integer> ids = IntStream.rangeClosed(1, 100)
                .map(i -> i == 50 ? 9999 : i)
                .boxed()
                .toList();
        // the error overtakes finished results not yet emitted: what arrives is an in-order prefix of ids 1..49
        StepVerifier.create(db.fetchEach(ids, 5, byId(), row -> row.get("name", String.class)))
                .recordWith(ArrayList::new)
                .thenConsumeWhile(name -> true)
                .consumeRecordedWith(names -> {
                    assertThat(names).hasSizeLessThanOrEqualTo(49);
                    List<String> prefix = new ArrayList<>();
                    IntStream.rangeClosed(1, names.size()).forEach(id -> prefix.add("item " + id));
                    assertThat(names).containsExactlyElementsOf(prefix);
                })
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(RowNotFoundException.class)
                        .hasMessageStartingWith("no row for key 9999: "))
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        TestDatabases.awaitAllReturned(db);
    }

    @Test
    void aDatabaseErrorIsTheDriversOwnInSettledMode() {
        String bad = "SELECT nosuchcolumn FROM " + TABLE + " WHERE id = $1";
        StepVerifier.create(db.fetchEachSettled(List.of(1), 2, bad, row -> row.get(0, String.class)))
                .assertNext(outcome -> assertThat(outcome.error()).get().isInstanceOf(R2dbcBadGrammarException.class))
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @Test
    void noKeysCompleteEmpty() {
        StepVerifier.create(db.fetchEach(List.<Integer>of(), 3, byId(), row -> row.get(0, String.class)))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void badArgumentsFailAtCallTime() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> db.fetchEach(List.of(1), 0, byId(), row -> 1))
                .withMessage("concurrency > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> db.fetchEachSettled(List.of(1), -1, byId(), row -> 1))
                .withMessage("concurrency > 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> db.fetchEach(List.of(1), 2, "SELECT $1, $2", row -> 1))
                .withMessage("a per-key query needs exactly one bind marker ($1) but it has 2: SELECT $1, $2");
        assertThatNullPointerException()
                .isThrownBy(() -> db.fetchEach(null, 2, byId(), row -> 1))
                .withMessage("keys");
        assertThatNullPointerException()
                .isThrownBy(() -> db.fetchEach(List.of(1), 2, null, row -> 1))
                .withMessage("sql");
        assertThatNullPointerException()
                .isThrownBy(() -> db.fetchEach(List.of(1), 2, byId(), null))
                .withMessage("mapper");
    }
}
