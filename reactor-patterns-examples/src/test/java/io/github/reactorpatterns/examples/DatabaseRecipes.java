package io.github.reactorpatterns.examples;

import io.github.reactorpatterns.examples.ContextManagers.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolBuilder;

/**
 * asyncpg and SQLAlchemy (redis.asyncio is in {@link RedisRecipes}). R2DBC bindings are a later module; these recipes
 * show the pattern over stand-in connections, with reactor-pool (what r2dbc-pool is built on) as the real pool.
 */
final class DatabaseRecipes {

    private DatabaseRecipes() {
    }

    // tag::queryDb[]
    // query_db(): conn = await asyncpg.connect(dsn); try: rows = await conn.fetch(...) finally: await conn.close()
    static Flux<String> queryDb(Mono<Connection> connect) {
        return Flux.usingWhen(
                connect,                                                  // R2DBC: connectionFactory.create()
                conn -> conn.fetch("SELECT * FROM users WHERE active = true"),
                Connection::close);
    }
    // end::queryDb[]

    // tag::database[]
    // class Database: a pool made by connect(dsn), closed by disconnect(); execute()/fetch() borrow a connection
    static final class Database {
        private final InstrumentedPool<Connection> pool;

        Database(Mono<Connection> connect) {                              // asyncpg.create_pool(dsn, ...)
            this.pool = PoolBuilder.from(connect)
                    .sizeBetween(5, 20)                                   // min_size=5, max_size=20
                    .destroyHandler(Connection::close)
                    .buildPool();
        }

        Mono<Integer> connect() {
            return pool.warmup();                                         // opens min_size connections now
        }

        Mono<Void> disconnect() {
            return pool.disposeLater();
        }

        // async with cls._pool.acquire() as conn: return await conn.execute(query, *args)
        Mono<String> execute(String query) {
            return pool.withPoolable(conn -> conn.query(query)).single(); // released on error and cancel too
        }

        Flux<String> fetch(String query) {
            return pool.withPoolable(conn -> conn.fetch(query));          // held while the rows stream
        }

        int idle() {
            return pool.metrics().idleSize();
        }

        int acquired() {
            return pool.metrics().acquiredSize();
        }
    }
    // end::database[]
}
