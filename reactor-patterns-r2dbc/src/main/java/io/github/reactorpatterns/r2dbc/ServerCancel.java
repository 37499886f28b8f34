package io.github.reactorpatterns.r2dbc;

import java.time.Duration;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Wrapped;
import reactor.core.publisher.Mono;

/**
 * Cancels the statement a connection is running, on the server. With r2dbc-postgresql this sends PostgreSQL's
 * {@code CancelRequest} (on a second connection that carries the first one's process id and secret key) and
 * completes when the server has taken it; other drivers have no such call in the SPI, so nothing is sent.
 */
final class ServerCancel {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final boolean POSTGRES = present("io.r2dbc.postgresql.api.PostgresqlConnection");

    private ServerCancel() {}

    static Mono<Void> cancel(Connection connection) {
        if (!POSTGRES) {
            return Mono.empty();
        }
        Object inner = connection;
        for (int depth = 0; depth < 8 && inner instanceof Wrapped<?> wrapped; depth++) {
            Object next = wrapped.unwrap();
            if (next == null || next == inner) {
                break;
            }
            inner = next;
        }
        return Postgres.cancel(inner).timeout(TIMEOUT).onErrorResume(error -> Mono.empty());
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ServerCancel.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** Loaded only when r2dbc-postgresql is on the class path. */
    private static final class Postgres {
        static Mono<Void> cancel(Object connection) {
            if (connection instanceof io.r2dbc.postgresql.api.PostgresqlConnection postgres) {
                return postgres.cancelRequest();
            }
            return Mono.empty();
        }
    }
}
