package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.r2dbc.spi.Parameters;
import io.r2dbc.spi.R2dbcType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Bad input fails when the method is called, with a message that says what is wrong. */
class DatabaseArgumentsTest {

    private static Database db;

    @BeforeAll
    static void start() {
        db = TestDatabases.database(
                TestDatabases.uniqueName("args"), b -> b.minIdle(0).maxSize(1));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void nullSqlMapperOrArgument() {
        assertThatNullPointerException()
                .isThrownBy(() -> db.query(null, row -> 1))
                .withMessage("sql");
        assertThatNullPointerException()
                .isThrownBy(() -> db.queryOne(null, row -> 1))
                .withMessage("sql");
        assertThatNullPointerException().isThrownBy(() -> db.execute(null)).withMessage("sql");
        assertThatNullPointerException()
                .isThrownBy(() -> db.query("SELECT 1", null))
                .withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> db.query("SELECT $1, $2", row -> 1, 1, null))
                .withMessage("args[1]");
        assertThatNullPointerException()
                .isThrownBy(() -> db.execute("SELECT 1", (Object[]) null))
                .withMessage("args");
    }

    @Test
    void bindCountMismatch() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> db.query("SELECT $1, $2", row -> 1, 1))
                .withMessage("the SQL has 2 bind markers ($1 to $2) but 1 argument was given: SELECT $1, $2");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> db.execute("SELECT 1", 7, 8))
                .withMessage("the SQL has 0 bind markers but 2 arguments were given: SELECT 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> db.queryOne("SELECT $1", row -> 1))
                .withMessage("the SQL has 1 bind marker ($1 to $1) but 0 arguments were given: SELECT $1");
    }

    @Test
    void markersInLiteralsNamesCommentsAndDollarQuotesDoNotCount() {
        assertThat(Sql.highestMarker("SELECT '$1', \"$2\" -- $3\n /* $4 */ , $$ $5 $$, $tag$ $6 $tag$, $1"))
                .isEqualTo(1);
        assertThat(Sql.highestMarker("SELECT 'it''s $2', $3")).isEqualTo(3);
        assertThat(Sql.highestMarker("SELECT a$1 FROM t")).isZero();
        assertThat(Sql.highestMarker("SELECT $10")).isEqualTo(10);
    }

    @Test
    void aTypedNullIsBoundWithParameters() {
        StepVerifier.create(db.queryOne(
                        "SELECT $1::text IS NULL", row -> row.get(0, Boolean.class), Parameters.in(R2dbcType.VARCHAR)))
                .expectNext(true)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
    }

    @Test
    void sessionChecksToo() {
        StepVerifier.create(db.transaction(tx -> {
                    assertThatNullPointerException()
                            .isThrownBy(() -> tx.query(null, row -> 1))
                            .withMessage("sql");
                    assertThatIllegalArgumentException()
                            .isThrownBy(() -> tx.execute("SELECT $1"))
                            .withMessageStartingWith("the SQL has 1 bind marker");
                    assertThat(tx.connection()).isNotNull();
                    return tx.queryOne("SELECT $1::int + 1", row -> row.get(0, Integer.class), 41);
                }))
                .expectNext(42)
                .expectComplete()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
    }
}
