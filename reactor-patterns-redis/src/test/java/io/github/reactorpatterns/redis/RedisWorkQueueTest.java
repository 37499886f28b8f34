package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RedisWorkQueueTest {

    static RedisServer redis;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static final AtomicInteger NAMES = new AtomicInteger();
    String name;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.server();
        client = RedisTestSupport.client(redis.uri());
        connection = client.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        RedisTestSupport.shutdown(client);
        redis.close();
    }

    @BeforeEach
    void freshName() {
        name = "queue-" + NAMES.incrementAndGet();
    }

    RedisWorkQueue.Builder queue() {
        return RedisWorkQueue.builder(client, name).block(Duration.ofMillis(100));
    }

    @Test
    void workersAcknowledgeEveryJobOnce() {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (RedisWorkQueue queue =
                queue().workers(4).onAcknowledged(j -> acked.add(j.id())).build()) {
            List<String> ids = Flux.range(0, 100)
                    .concatMap(i -> queue.put("job-" + i))
                    .collectList()
                    .block(Duration.ofSeconds(10));
            Map<String, Long> seen = new ConcurrentHashMap<>();
            queue.start(job -> Mono.fromRunnable(() -> seen.put(job.id(), job.deliveryCount())));
            await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() == 100);
            assertThat(acked).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(seen.values()).containsOnly(1L);
            assertThat(queue.outstanding().block(Duration.ofSeconds(5))).isZero();
            queue.shutdown(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aFailingJobIsRetriedThenMovesToTheDeadLetterStreamWithItsError() {
        List<Long> deliveries = new CopyOnWriteArrayList<>();
        try (RedisWorkQueue queue =
                queue().maxAttempts(3).retryDelay(Duration.ofMillis(10)).build()) {
            String id = queue.put("poison").block(Duration.ofSeconds(5));
            String good = queue.put("second time lucky").block(Duration.ofSeconds(5));
            queue.start(job -> {
                deliveries.add(job.deliveryCount());
                if (job.payload().equals("poison") || job.deliveryCount() == 1) {
                    return Mono.error(new IllegalStateException("boom " + job.payload()));
                }
                return Mono.empty();
            });
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> connection.sync().xlen(RedisWorkQueue.deadLetterKey(name)) == 1
                            && queue.outstanding().block() == 0);
            List<StreamMessage<String, String>> dead =
                    connection.sync().xrange(RedisWorkQueue.deadLetterKey(name), Range.create("-", "+"));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).getBody())
                    .containsEntry("id", id)
                    .containsEntry("payload", "poison")
                    .containsEntry("deliveries", "3")
                    .containsEntry("error", "java.lang.IllegalStateException: boom poison");
            // poison: 1, 2, 3; the other one: 1 (failed) then 2 (acknowledged)
            assertThat(deliveries).containsExactlyInAnyOrder(1L, 2L, 3L, 1L, 2L);
            assertThat(good).isNotEqualTo(id);
            queue.shutdown(Duration.ZERO).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void putWaitsWhileTheStreamHoldsCapacityUnacknowledgedJobs() {
        try (RedisWorkQueue queue = queue().capacity(2).build()) {
            queue.put("a").block(Duration.ofSeconds(5));
            queue.put("b").block(Duration.ofSeconds(5));
            StepVerifier.create(queue.put("c"))
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(300))
                    .then(() -> queue.start(job -> Mono.empty()))
                    .expectNextCount(1)
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            queue.shutdown(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aJobOfADeadConsumerIsClaimedAfterTheVisibilityTimeout() {
        RedisWorkQueue dying = queue().consumer("dying").build();
        String id = dying.put("orphan").block(Duration.ofSeconds(5));
        AtomicInteger started = new AtomicInteger();
        dying.start(job -> {
            started.incrementAndGet();
            return Mono.never();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 1);
        dying.close(); // its job stays pending, owned by "dying"

        List<RedisJob> got = new CopyOnWriteArrayList<>();
        try (RedisWorkQueue alive = queue().consumer("alive")
                .visibilityTimeout(Duration.ofMillis(300))
                .build()) {
            alive.start(job -> Mono.fromRunnable(() -> got.add(job)));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
            assertThat(got.get(0).id()).isEqualTo(id);
            assertThat(got.get(0).payload()).isEqualTo("orphan");
            assertThat(got.get(0).deliveryCount()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> alive.outstanding().block() == 0);
            alive.shutdown(Duration.ZERO).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void shutdownLetsRunningJobsFinishAndLeavesTheRestPending() {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger started = new AtomicInteger();
        RedisWorkQueue first =
                queue().workers(4).onAcknowledged(j -> acked.add(j.id())).build();
        List<String> ids = Flux.range(0, 200)
                .concatMap(i -> first.put("job-" + i))
                .collectList()
                .block(Duration.ofSeconds(20));
        first.start(job -> Mono.delay(Duration.ofMillis(20)).doOnSubscribe(s -> started.incrementAndGet()));
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= 20);
        first.shutdown(Duration.ofSeconds(5)).block(Duration.ofSeconds(20));
        // every job it started finished within the grace and was acknowledged
        assertThat(acked).hasSize(started.get());
        assertThat(acked.size() + connection.sync().xlen(RedisWorkQueue.streamKey(name)))
                .isEqualTo(200);
        assertThat(acked.size()).isLessThan(200);

        try (RedisWorkQueue second = queue().workers(4)
                .visibilityTimeout(Duration.ofMillis(300))
                .onAcknowledged(j -> acked.add(j.id()))
                .build()) {
            second.start(job -> Mono.empty());
            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() == 200);
            assertThat(acked).containsExactlyInAnyOrderElementsOf(ids);
            second.shutdown(Duration.ZERO).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void aHandlerThatThrowsCountsAsAFailure() {
        try (RedisWorkQueue queue = queue().maxAttempts(1).build()) {
            queue.put("x").block(Duration.ofSeconds(5));
            queue.start(job -> {
                throw new IllegalArgumentException("thrown");
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> connection.sync().xlen(RedisWorkQueue.deadLetterKey(name)) == 1);
            queue.shutdown(Duration.ZERO).block(Duration.ofSeconds(10));
        }
    }

    @Test
    void misuseAndBadArguments() {
        try (RedisWorkQueue queue = queue().build()) {
            queue.start(job -> Mono.empty());
            assertThatIllegalStateException()
                    .isThrownBy(() -> queue.start(job -> Mono.empty()))
                    .withMessage("the workers are already started");
            assertThatNullPointerException().isThrownBy(() -> queue.put(null)).withMessage("payload");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> queue.shutdown(Duration.ofMillis(-1)))
                    .withMessage("grace >= 0 required but it was PT-0.001S");
            queue.shutdown(Duration.ZERO).block(Duration.ofSeconds(10));
            assertThatIllegalStateException().isThrownBy(() -> queue.start(job -> Mono.empty()));
        }
        assertThatNullPointerException()
                .isThrownBy(() -> RedisWorkQueue.builder(null, "x"))
                .withMessage("client");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisWorkQueue.builder(client, ""))
                .withMessage("name must not be empty");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> queue().capacity(0))
                .withMessage("capacity > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> queue().workers(0))
                .withMessage("workers > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> queue().maxAttempts(0))
                .withMessage("maxAttempts > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> queue().visibilityTimeout(Duration.ZERO))
                .withMessage("visibility >= 10 ms required but it was PT0S");
        connection.sync().set(RedisWorkQueue.streamKey(name + "-taken"), "a string");
        assertThatThrownBy(() -> RedisWorkQueue.builder(client, name + "-taken").build())
                .isInstanceOf(RedisKeyTypeException.class)
                .hasMessageContaining(RedisWorkQueue.streamKey(name + "-taken"));
    }
}
