package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ContextManagersTest {

    @Test
    void managedConnectionClosesOnSuccessErrorAndCancel() {
        ContextManagers.Connection ok = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.managedConnection(Mono.just(ok), c -> c.query("SELECT 1")))
                .expectNext("rows of SELECT 1")
                .verifyComplete();
        assertThat(ok.events).containsExactly("query SELECT 1", "close");

        ContextManagers.Connection failing = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.managedConnection(
                        Mono.just(failing), c -> Mono.error(new IllegalStateException("boom"))))
                .verifyErrorMessage("boom");
        assertThat(failing.events).containsExactly("close");

        ContextManagers.Connection cancelled = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.managedConnection(Mono.just(cancelled), c -> Mono.never()))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled.events).containsExactly("close");
    }

    @Test
    void sessionCommitsOnSuccessAndRollsBackOnErrorOrCancel() {
        ContextManagers.Connection committed = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.inTransaction(Mono.just(committed), s -> s.query("UPDATE")))
                .expectNextCount(1)
                .verifyComplete();
        assertThat(committed.events).containsExactly("query UPDATE", "commit", "close");

        ContextManagers.Connection failed = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.inTransaction(
                        Mono.just(failed),
                        s -> s.query("UPDATE").then(Mono.error(new IllegalArgumentException("invalid")))))
                .verifyErrorMessage("invalid");
        assertThat(failed.events).containsExactly("query UPDATE", "rollback", "close");

        ContextManagers.Connection cancelled = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.inTransaction(Mono.just(cancelled), s -> Mono.never()))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(cancelled.events).containsExactly("rollback", "close");
    }

    @Test
    void streamRowsHonoursBackpressureAndRollsBackWhenTheConsumerStops() {
        ContextManagers.Connection conn = new ContextManagers.Connection();
        StepVerifier.create(
                        ContextManagers.streamRows(
                                Mono.just(conn), c -> Flux.range(1, 1_000).map(i -> "row " + i)),
                        0)
                .thenRequest(2)
                .expectNext("row 1", "row 2")
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(conn.events).containsExactly("rollback", "close");

        ContextManagers.Connection all = new ContextManagers.Connection();
        StepVerifier.create(ContextManagers.streamRows(Mono.just(all), c -> Flux.just("a", "b")))
                .expectNext("a", "b")
                .verifyComplete();
        assertThat(all.events).containsExactly("commit", "close");
    }
}
