package io.github.reactorpatterns.examples;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Async context managers ({@code @asynccontextmanager}, {@code __aenter__}/{@code __aexit__}) are reactor-core's
 * {@code Mono.usingWhen}/{@code Flux.usingWhen}: the library adds nothing here, the cookbook shows the mapping.
 */
final class ContextManagers {

    /** A stand-in for a connection or session: records what happened to it, so tests can assert cleanup. */
    static class Connection {
        final List<String> events = new CopyOnWriteArrayList<>();

        Mono<String> query(String sql) {
            return Mono.fromSupplier(() -> {
                events.add("query " + sql);
                return "rows of " + sql;
            });
        }

        Flux<String> fetch(String sql) {
            return Flux.range(1, 3).map(i -> "row " + i + " of " + sql).doOnSubscribe(s -> events.add("fetch " + sql));
        }

        Mono<Void> close() {
            return Mono.fromRunnable(() -> events.add("close"));
        }

        Mono<Void> commit() {
            return Mono.fromRunnable(() -> events.add("commit"));
        }

        Mono<Void> rollback() {
            return Mono.fromRunnable(() -> events.add("rollback"));
        }
    }

    private ContextManagers() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::managedConnection[]
    // async with managed_connection(url) as conn: ...   ->   managedConnection(connect, conn -> ...)
    static <T> Mono<T> managedConnection(Mono<Connection> connect, Function<Connection, Mono<T>> body) {
        return Mono.usingWhen(
                connect,              // conn = await connect(url)
                body,                 // yield conn
                Connection::close);   // finally: await conn.close() -- on success, error and cancel alike
    }
    // end::managedConnection[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::session[]
    // __aexit__: commit on success, rollback on error; cancellation (no Python equivalent) also rolls back
    static <T> Mono<T> inTransaction(Mono<Connection> openSession, Function<Connection, Mono<T>> work) {
        return Mono.usingWhen(
                openSession,
                work,
                session -> session.commit().then(session.close()),                  // success
                (session, error) -> session.rollback().then(session.close()),       // error
                session -> session.rollback().then(session.close()));               // cancel
    }
    // end::session[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::streamRows[]
    // async for row in conn.cursor(query): yield row   -- inside "async with pool.acquire()" and a transaction
    static Flux<String> streamRows(Mono<Connection> acquire, Function<Connection, Flux<String>> cursor) {
        return Flux.usingWhen(
                acquire,
                cursor,                                                    // rows flow with backpressure
                conn -> conn.commit().then(conn.close()),
                (conn, error) -> conn.rollback().then(conn.close()),
                conn -> conn.rollback().then(conn.close()));               // consumer stopped early
    }
    // end::streamRows[]
    // spotless:on
}
