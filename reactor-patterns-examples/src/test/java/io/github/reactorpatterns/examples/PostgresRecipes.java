package io.github.reactorpatterns.examples;

import java.util.List;

import io.github.reactorpatterns.r2dbc.Database;
import io.github.reactorpatterns.r2dbc.Session;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** asyncpg and SQLAlchemy asyncio on a real PostgreSQL, with the reactor-patterns-r2dbc {@link Database}. */
final class PostgresRecipes {

    private PostgresRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::pool[]
    // pool = await asyncpg.create_pool(dsn, min_size=5, max_size=20)
    static Database createPool(String r2dbcUrl) {
        return Database.builder(r2dbcUrl)          // "r2dbc:postgresql://user@host:5432/db"
                .minIdle(5)                        // min_size=5
                .maxSize(20)                       // max_size=20
                .build();                          // + a 5 s acquire timeout and at most 1000 waiters
    }

    // query_db(): rows = await conn.fetch("SELECT * FROM users WHERE active = true"), connection returned after
    static Flux<String> activeUsers(Database db) {
        return db.query("SELECT name FROM users WHERE active = $1 ORDER BY id",
                row -> row.get("name", String.class), true);
    }
    // end::pool[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchBatch[]
    // fetch_batch(ids, pool, max_concurrent=10): gather(*[fetchrow(...) for id in ids]) under a Semaphore(10)
    static Mono<List<String>> fetchBatch(List<Integer> ids, Database db, int maxConcurrent) {
        return db.fetchEach(ids, maxConcurrent, "SELECT name FROM users WHERE id = $1",
                        row -> row.get("name", String.class))
                .collectList();                    // input order; at most maxConcurrent connections at once
    }
    // end::fetchBatch[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::streamRows[]
    // async with conn.transaction(): async for row in conn.cursor(query): yield row
    static Flux<String> streamRows(Database db) {
        return db.transactionMany(tx -> tx.query("SELECT name FROM users ORDER BY id",
                row -> row.get("name", String.class)));   // 256 rows per round trip, as the consumer asks
    }
    // end::streamRows[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::getDb[]
    // async def get_db(): async with async_session() as session: try: yield session; await session.commit()
    //                     except: await session.rollback(); raise
    static <T> Mono<T> withUnitOfWork(Database db, java.util.function.Function<Session, Mono<T>> handler) {
        return db.transaction(handler::apply);     // commit on success; rollback on error and on cancel
    }

    // @app.post("/users") async def create_user(user, db = Depends(get_db)): db.add(User(...)); return user
    static Mono<Long> createUser(Database db, int id, String name) {
        return withUnitOfWork(db, session -> session.execute(
                "INSERT INTO users (id, name, active) VALUES ($1, $2, true)", id, name));
    }
    // end::getDb[]
    // spotless:on
}
