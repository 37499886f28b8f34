package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.reactorpatterns.examples.ContextManagers.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolBuilder;

/**
 * asyncpg, SQLAlchemy and redis.asyncio. R2DBC and Lettuce bindings are a later, unscheduled module; these recipes
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

    /** A stand-in for a Redis connection (Lettuce's {@code RedisReactiveCommands} has the same shape). */
    static final class Redis {
        final Map<String, String> data = new ConcurrentHashMap<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        private final Sinks.Many<Map<String, String>> published = Sinks.many().multicast().directBestEffort();

        Mono<String> set(String key, String value, Duration expiry) {
            return Mono.fromSupplier(() -> {
                data.put(key, value);
                events.add("SET " + key + " EX " + expiry.toSeconds());
                return "OK";
            });
        }

        Mono<String> set(String key, String value) {
            return Mono.fromSupplier(() -> {
                data.put(key, value);
                return "OK";
            });
        }

        Mono<String> get(String key) {
            return Mono.fromSupplier(() -> data.get(key));
        }

        Mono<Long> incr(String key) {
            return Mono.fromSupplier(() -> Long.parseLong(data.merge(key, "1",
                    (old, one) -> Long.toString(Long.parseLong(old) + 1))));
        }

        Flux<Map<String, String>> subscribe(String channel) {
            return published.asFlux()
                    .filter(message -> channel.equals(message.get("channel")))
                    .doOnSubscribe(s -> events.add("SUBSCRIBE " + channel));
        }

        void publish(String channel, String type, String data) {
            published.tryEmitNext(Map.of("channel", channel, "type", type, "data", data));
        }

        Mono<Void> close() {
            return Mono.fromRunnable(() -> events.add("CLOSE"));
        }
    }

    // tag::redis[]
    // redis_example(): set with expiry, get, a pipeline, then "async for message in pubsub.listen()"; finally: close
    static Flux<String> redisExample(Mono<Redis> connect) {
        return Flux.usingWhen(connect, client -> client.set("key", "value", Duration.ofHours(1))
                        .then(client.get("key"))
                        .then(Flux.merge(client.set("a", "1"), client.set("b", "2"), client.incr("counter"))
                                .collectList())                           // pipeline: sent without awaiting each
                        .thenMany(client.subscribe("channel"))
                        .filter(message -> message.get("type").equals("message"))
                        .map(message -> "Received: " + message.get("data")),
                Redis::close);                                            // also when the listener is cancelled
    }
    // end::redis[]
}
