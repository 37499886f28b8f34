package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** redis.asyncio on Lettuce's reactive API, against a real Redis (see {@code RedisRecipesTest}). */
final class RedisRecipes {

    private RedisRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::redisBasics[]
    // client = redis.Redis.from_url(url); try: await client.set("key", "value", ex=3600); await client.get("key")
    // finally: await client.close()
    static Mono<String> setThenGet(RedisClient client) {
        return Mono.usingWhen(
                Mono.fromCallable(client::connect).subscribeOn(Schedulers.boundedElastic()), // connect() blocks
                connection -> {
                    RedisReactiveCommands<String, String> redis = connection.reactive();
                    return redis.setex("key", Duration.ofHours(1).toSeconds(), "value") // SET key value EX 3600
                            .then(redis.get("key"));
                },
                connection -> Mono.fromCompletionStage(connection.closeAsync())); // also on error and cancel
    }
    // end::redisBasics[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::redisPipeline[]
    // async with client.pipeline() as pipe: await pipe.set("a", "1"); ...; results = await pipe.execute()
    static Mono<List<String>> pipeline(StatefulRedisConnection<String, String> connection,
                                       Map<String, String> values) {
        RedisReactiveCommands<String, String> redis = connection.reactive();
        // Lettuce pipelines on its own: each command is written without waiting for the previous reply. Bound
        // how many are in flight (not Flux.merge of them all: with auto-flush off it stalls at 256) and keep the
        // replies in command order, as pipe.execute() does.
        return Flux.fromIterable(values.entrySet())
                .flatMapSequential(e -> redis.set(e.getKey(), e.getValue()), 128)
                .concatWith(redis.incr("counter").map(String::valueOf))
                .collectList();
    }
    // end::redisPipeline[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::redisPubSub[]
    // pubsub = client.pubsub(); await pubsub.subscribe("channel")
    // async for message in pubsub.listen(): if message["type"] == "message": print(f"Received: {message['data']}")
    static Flux<String> listen(RedisClient client, String channel) {
        return Flux.usingWhen(
                Mono.fromCallable(client::connectPubSub).subscribeOn(Schedulers.boundedElastic()),
                (StatefulRedisPubSubConnection<String, String> pubsub) -> pubsub.reactive().subscribe(channel)
                        .thenMany(pubsub.reactive().observeChannels())   // messages only, no subscribe events
                        .filter(message -> message.getChannel().equals(channel))
                        .map(message -> "Received: " + message.getMessage()),
                // cancelling observeChannels() alone leaves the server subscription open: unsubscribe and close
                pubsub -> pubsub.reactive().unsubscribe(channel)
                        .then(Mono.fromCompletionStage(pubsub.closeAsync())));
    }
    // end::redisPubSub[]
    // spotless:on
}
