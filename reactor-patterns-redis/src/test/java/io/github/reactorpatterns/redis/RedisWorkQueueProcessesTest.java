package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

/** 10,000 jobs (100 of them always failing), three worker JVMs, one killed with SIGKILL mid-run. */
class RedisWorkQueueProcessesTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // three JVMs and 10,000 jobs: about 30 s on two idle cores
    void everyJobIsAcknowledgedOrDeadLetteredWhenAWorkerProcessIsKilled() throws Exception {
        String name = "work";
        try (RedisServer redis = RedisTestSupport.server()) {
            RedisClient client = RedisTestSupport.client(redis.uri());
            List<RedisTestSupport.Child> children = new ArrayList<>();
            try (StatefulRedisConnection<String, String> c = client.connect();
                    RedisWorkQueue producer =
                            RedisWorkQueue.builder(client, name).capacity(2_000).build()) {
                for (int i = 0; i < 3; i++) {
                    children.add(new RedisTestSupport.Child(WorkerChild.class, redis.uri(), name, "8"));
                }
                for (RedisTestSupport.Child child : children) {
                    await().atMost(Duration.ofSeconds(120))
                            .until(() -> child.printed("ready") || !child.process.isAlive());
                    assertThat(child.printed("ready")).as("%s", child.lines).isTrue();
                }
                // capacity 2,000 < 10,000: put waits for the workers
                CompletableFuture<List<String>> puts = Flux.range(0, 10_000)
                        .flatMapSequential(i -> producer.put(i % 100 == 0 ? "fail-" + i : "job-" + i), 64)
                        .collectList()
                        .toFuture();
                await().atMost(Duration.ofSeconds(120)).until(() -> c.sync().scard(name + ":acked") >= 3_000);
                children.get(0).kill(); // SIGKILL mid-run, while it holds jobs
                System.out.println("killed one worker at " + c.sync().scard(name + ":acked") + " acked");
                List<String> ids = puts.get(120, TimeUnit.SECONDS);
                assertThat(new HashSet<>(ids)).hasSize(10_000);
                // every job acknowledged (then deleted) or dead-lettered: the stream is empty
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> c.sync().xlen(RedisWorkQueue.streamKey(name)) == 0
                                && c.sync().xlen(RedisWorkQueue.deadLetterKey(name)) == 100);

                for (RedisTestSupport.Child survivor : children.subList(1, 3)) {
                    survivor.send("stop");
                    assertThat(survivor.waitFor(Duration.ofSeconds(60))).isZero();
                    assertThat(survivor.printed("stopped")).isTrue();
                }
                // none delivered after its acknowledgement
                assertThat(c.sync().get(name + ":violations")).isNull();
                assertThat(producer.outstanding().block(Duration.ofSeconds(5))).isZero();
                Set<String> acked = c.sync().smembers(name + ":acked");
                List<StreamMessage<String, String>> dead =
                        c.sync().xrange(RedisWorkQueue.deadLetterKey(name), Range.create("-", "+"));
                Set<String> settled = new HashSet<>(acked);
                for (StreamMessage<String, String> m : dead) {
                    assertThat(m.getBody().get("payload")).startsWith("fail-");
                    assertThat(m.getBody().get("error")).contains("boom");
                    assertThat(Long.parseLong(m.getBody().get("deliveries"))).isGreaterThanOrEqualTo(3);
                    settled.add(m.getBody().get("id"));
                }
                // each job at least once: every one was started, and acknowledged or dead-lettered; the only jobs
                // missing from the acknowledged set are those the killed worker acknowledged in its last moment,
                // before it could record them (at most its 8 workers' worth)
                assertThat(c.sync().hlen(name + ":starts")).isEqualTo(10_000);
                assertThat(ids).containsAll(settled);
                assertThat(ids.size() - settled.size()).isBetween(0, 8);
            } finally {
                children.forEach(RedisTestSupport.Child::close);
                RedisTestSupport.shutdown(client);
            }
        }
    }
}
