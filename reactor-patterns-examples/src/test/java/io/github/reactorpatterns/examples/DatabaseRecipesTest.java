package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class DatabaseRecipesTest {

    @Test
    void redisExampleRunsTheCommandsThenListensUntilCancelledAndCloses() {
        DatabaseRecipes.Redis redis = new DatabaseRecipes.Redis();
        AtomicInteger step = new AtomicInteger();
        StepVerifier.create(DatabaseRecipes.redisExample(Mono.just(redis)))
                .then(() -> {
                    assertThat(redis.data).containsEntry("key", "value").containsEntry("a", "1")
                            .containsEntry("b", "2").containsEntry("counter", "1");
                    redis.publish("channel", "subscribe", "1");
                    redis.publish("other", "message", "not for us");
                    redis.publish("channel", "message", "hello");
                    step.incrementAndGet();
                })
                .expectNext("Received: hello")
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        assertThat(step).hasValue(1);
        assertThat(redis.events).containsExactly("SET key EX 3600", "SUBSCRIBE channel", "CLOSE");
    }
}
