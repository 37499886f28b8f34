package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * redis.asyncio over a stand-in connection (the asyncpg and SQLAlchemy recipes run on a real PostgreSQL in
 * {@link PostgresRecipes}).
 */
final class DatabaseRecipes {

    private DatabaseRecipes() {
    }

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
