package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ServiceLoader;

import io.github.reactorpatterns.test.BlockHoundExtension;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

@ExtendWith(BlockHoundExtension.class)
class LettuceBlockHoundIntegrationTest {

    @Test
    void isFoundByTheServiceLoaderThatBlockHoundUses() {
        assertThat(ServiceLoader.load(BlockHoundIntegration.class))
                .anyMatch(i -> i instanceof LettuceBlockHoundIntegration);
    }

    @Test
    void rejectsANullBuilder() {
        assertThatNullPointerException()
                .isThrownBy(() -> new LettuceBlockHoundIntegration().applyTo(null))
                .withMessage("builder");
    }

    /**
     * Lettuce's write path takes a brief lock; a non-blocking thread that finds it taken parks, and without the
     * integration BlockHound throws from inside the lock, which leaves the connection's writer count off by one and
     * every later write on that connection spinning on its event loop forever.
     */
    @Test
    void commandsWrittenFromManyNonBlockingThreadsAtOnceAllComplete() {
        try (RedisServer redis = RedisTestSupport.server()) {
            RedisClient client = RedisTestSupport.client(redis.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisReactiveCommands<String, String> commands = connection.reactive();
                for (int round = 0; round < 5; round++) {
                    Long count = Flux.range(0, 20_000)
                            .parallel(8)
                            .runOn(Schedulers.parallel())
                            .flatMap(i -> commands.incr("writes"))
                            .sequential()
                            .count()
                            .block(Duration.ofSeconds(60));
                    assertThat(count).isEqualTo(20_000);
                }
                assertThat(commands.get("writes").block(Duration.ofSeconds(10))).isEqualTo("100000");
            } finally {
                RedisTestSupport.shutdown(client);
            }
        }
    }
}
