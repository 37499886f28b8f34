package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.github.reactorpatterns.examples.ContextManagers.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class DatabaseRecipesTest {

    @Test
    void queryDbStreamsRowsAndClosesTheConnection() {
        Connection conn = new Connection();
        StepVerifier.create(DatabaseRecipes.queryDb(Mono.just(conn)))
                .expectNextCount(3)
                .verifyComplete();
        assertThat(conn.events).last().isEqualTo("close");

        Connection cancelled = new Connection();
        StepVerifier.create(DatabaseRecipes.queryDb(Mono.just(cancelled)).take(1))
                .expectNextCount(1)
                .verifyComplete();
        assertThat(cancelled.events).last().isEqualTo("close");
    }

    @Test
    void theDatabasePoolOpensMinSizeAndNeverMoreThanMaxSize() {
        List<Connection> opened = new CopyOnWriteArrayList<>();
        DatabaseRecipes.Database db = new DatabaseRecipes.Database(Mono.fromSupplier(() -> {
            Connection c = new Connection() {
                @Override
                Mono<String> query(String sql) {
                    return Mono.delay(Duration.ofMillis(20)).then(super.query(sql));
                }
            };
            opened.add(c);
            return c;
        }));
        StepVerifier.create(db.connect()).expectNext(5).verifyComplete();
        assertThat(opened).hasSize(5);

        StepVerifier.create(Flux.range(0, 100).flatMap(i -> db.execute("UPDATE " + i), 100))
                .expectNextCount(100)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(opened).hasSize(20);
        assertThat(db.acquired()).isZero();

        StepVerifier.create(db.fetch("SELECT *").take(1)).expectNextCount(1).verifyComplete();
        assertThat(db.acquired()).isZero();

        StepVerifier.create(db.disconnect()).verifyComplete();
        assertThat(opened).allSatisfy(c -> assertThat(c.events).last().isEqualTo("close"));
    }
}
