package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The redis.asyncio recipes against a real Redis server. */
class RedisRecipesTest {

    static RedisServer server;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;

    @BeforeAll
    static void start() {
        server = RedisServer.start();
        client = RedisClient.create(server.uri());
        connection = client.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }

    long clients() {
        return connection.sync().clientList().lines().count();
    }

    @Test
    void setWithExpiryThenGetAndTheConnectionIsClosed() {
        long before = clients();
        StepVerifier.create(RedisRecipes.setThenGet(client)).expectNext("value").verifyComplete();
        assertThat(connection.sync().ttl("key")).isBetween(3590L, 3600L);
        await().atMost(Duration.ofSeconds(5)).until(() -> clients() == before);
    }

    @Test
    void aPipelineOfTenThousandCommandsCompletesInOrder() {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            values.put("pipelined:" + i, Integer.toString(i));
        }
        List<String> replies = RedisRecipes.pipeline(connection, values).block(Duration.ofSeconds(60));
        assertThat(replies).hasSize(10_001);
        assertThat(replies.subList(0, 10_000)).containsOnly("OK");
        assertThat(replies.get(10_000)).isEqualTo(connection.sync().get("counter"));
        assertThat(connection.sync().get("pipelined:9999")).isEqualTo("9999");
        assertThat(RedisRecipes.pipeline(connection, Map.of()).block(Duration.ofSeconds(5)))
                .hasSize(1);
    }

    @Test
    void pubSubDeliversMessagesAndReallyUnsubscribesOnCancel() {
        Flux<String> messages = RedisRecipes.listen(client, "channel");
        StepVerifier.create(messages)
                .then(() -> {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() ->
                                    connection.sync().pubsubNumsub("channel").get("channel") == 1L);
                    connection.sync().publish("other", "not for us");
                    connection.sync().publish("channel", "hello");
                })
                .expectNext("Received: hello")
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        // the server no longer counts a subscriber: cancel reached Redis
        await().atMost(Duration.ofSeconds(5))
                .until(() -> connection.sync().pubsubNumsub("channel").get("channel") == 0L);
    }

    @Test
    void anErrorDownstreamAlsoUnsubscribes() {
        Disposable listening = RedisRecipes.listen(client, "errors")
                .map(m -> {
                    throw new IllegalStateException("boom");
                })
                .subscribe(m -> {}, e -> {});
        await().atMost(Duration.ofSeconds(10))
                .until(() -> connection.sync().pubsubNumsub("errors").get("errors") == 1L);
        connection.sync().publish("errors", "x");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> connection.sync().pubsubNumsub("errors").get("errors") == 0L);
        assertThat(listening.isDisposed()).isTrue();
    }
}
