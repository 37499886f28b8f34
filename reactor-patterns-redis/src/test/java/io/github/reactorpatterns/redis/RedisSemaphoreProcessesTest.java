package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Child JVMs share one {@code RedisSemaphore(5)} (lease 2 s, renewed every 500 ms). */
class RedisSemaphoreProcessesTest {

    @Test
    void threeProcessesRunThreeHundredJobsNeverMoreThanFiveAtOnce() throws Exception {
        try (RedisServer redis = RedisTestSupport.server()) {
            List<RedisTestSupport.Child> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(new RedisTestSupport.Child(SemaphoreChild.class, redis.uri(), "jobs", "jobs", "100"));
                }
                for (RedisTestSupport.Child c : children) {
                    assertThat(c.waitFor(Duration.ofSeconds(120)))
                            .as("exit of %s", c.lines)
                            .isZero();
                }
                RedisClient client = RedisTestSupport.client(redis.uri());
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    assertThat(c.sync().get("jobs:done")).isEqualTo("300");
                    assertThat(c.sync().get("jobs:holders")).isEqualTo("0");
                    // counted by the work itself, across the three processes
                    assertThat(Integer.parseInt(c.sync().get("jobs:peak"))).isBetween(2, 5);
                    assertThat(c.sync().zcard(RedisSemaphore.key("jobs"))).isZero();
                } finally {
                    RedisTestSupport.shutdown(client);
                }
            } finally {
                children.forEach(RedisTestSupport.Child::close);
            }
        }
    }

    @Test
    void permitsOfAKilledProcessAreFreeAgainWithinLeasePlusOneRenewal() throws Exception {
        try (RedisServer redis = RedisTestSupport.server();
                RedisTestSupport.Child holder =
                        new RedisTestSupport.Child(SemaphoreChild.class, redis.uri(), "killed", "hold", "3")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> holder.printed("holding") || !holder.process.isAlive());
            assertThat(holder.linesStartingWith("holding "))
                    .as("%s", holder.lines)
                    .containsExactly("3");
            RedisClient client = RedisTestSupport.client(redis.uri());
            try (RedisSemaphore semaphore = RedisSemaphore.builder(client, "killed", 5)
                    .lease(Duration.ofSeconds(2))
                    .renewEvery(Duration.ofMillis(500))
                    .recheckEvery(Duration.ofSeconds(10))
                    .build()) {
                assertThat(semaphore.held().block(Duration.ofSeconds(5))).isEqualTo(3);
                holder.kill(); // SIGKILL: no release, no shutdown hook
                long killed = System.nanoTime();
                // the leases the dead holder left, on the server's clock: its last renewal + 2 s
                Duration leaseLeft;
                try (StatefulRedisConnection<String, String> c = client.connect()) {
                    double lastExpiry = c.sync().zrangeWithScores(RedisSemaphore.key("killed"), 0, -1).stream()
                            .mapToDouble(ScoredValue::getScore)
                            .max()
                            .orElseThrow();
                    List<String> time = c.sync().time();
                    long now = Long.parseLong(time.get(0)) * 1_000_000L + Long.parseLong(time.get(1));
                    leaseLeft = Duration.ofNanos((long) (lastExpiry - now) * 1000L);
                }
                List<Permit> all = Flux.range(0, 5)
                        .flatMap(i -> semaphore.acquire(), 5)
                        .collectList()
                        .block(Duration.ofSeconds(30));
                Duration freed = Duration.ofNanos(System.nanoTime() - killed);
                assertThat(all).hasSize(5);
                // they were held until their lease ran out (however late the loaded holder renewed last), and were
                // usable again within lease 2 s + one renewal interval 500 ms of the kill
                assertThat(leaseLeft).isPositive();
                assertThat(freed)
                        .isGreaterThanOrEqualTo(leaseLeft.minusMillis(20))
                        .isLessThanOrEqualTo(Duration.ofMillis(2500));
                all.forEach(Permit::release);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> semaphore.held().block(Duration.ofSeconds(5)) == 0);
            } finally {
                RedisTestSupport.shutdown(client);
            }
        }
    }
}
