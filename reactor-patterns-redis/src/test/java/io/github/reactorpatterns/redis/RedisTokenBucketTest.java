package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class RedisTokenBucketTest {

    static RedisServer redis;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static StatefulRedisConnection<String, String> other;
    static final AtomicInteger NAMES = new AtomicInteger();
    String name;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.server();
        client = RedisTestSupport.client(redis.uri());
        connection = client.connect();
        other = client.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        other.close();
        RedisTestSupport.shutdown(client);
        redis.close();
    }

    @BeforeEach
    void freshName() {
        name = "bucket-" + NAMES.incrementAndGet();
    }

    RedisTokenBucket.Builder bucket() {
        return RedisTokenBucket.builder(connection, name);
    }

    @Test
    void grantsTheBurstAtOnceThenRefusesWithoutWaiting() {
        RedisTokenBucket bucket =
                bucket().rate(1, Duration.ofSeconds(30)).burst(5).build();
        StepVerifier.create(Flux.range(0, 6).concatMap(i -> bucket.tryAcquire(1)))
                .expectNext(true, true, true, true, true, false)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aCallRedisDoesNotAnswerEndsAtTheTimeoutOnTheBucketsScheduler() {
        Scheduler scheduler = Schedulers.newSingle("bucket-timer");
        try {
            List<RedisFailure> failures = new CopyOnWriteArrayList<>();
            RedisTokenBucket bucket = bucket().rate(10, Duration.ofSeconds(1))
                    .timeout(Duration.ofMillis(300))
                    .scheduler(scheduler)
                    .onFailure(failures::add)
                    .build();
            assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
            other.sync().clientPause(1500); // Redis answers no client for 1.5 s
            long start = System.nanoTime();

            StepVerifier.create(bucket.tryAcquire(1)
                            .map(granted ->
                                    granted + " on " + Thread.currentThread().getName()))
                    .assertNext(s -> assertThat(s).startsWith("false on bucket-timer"))
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isBetween(Duration.ofMillis(290), Duration.ofMillis(1400));
            assertThat(failures).singleElement().satisfies(f -> {
                assertThat(f.operation()).isEqualTo("tryAcquire");
                assertThat(f.error())
                        .isInstanceOf(TimeoutException.class)
                        .hasMessage("Redis did not answer within 300ms");
            });
        } finally {
            other.sync().ping(); // answered once the pause is over
            scheduler.dispose();
        }
    }

    @Test
    void waitingAcquireSleepsTheIntervalRedisNames() {
        RedisTokenBucket bucket = bucket().rate(5, Duration.ofSeconds(1)).build();
        long start = System.nanoTime();
        bucket.acquire().block(Duration.ofSeconds(5));
        bucket.acquire().block(Duration.ofSeconds(5));
        // one token per 200 ms: the second grant comes at least 200 ms after the first (on a loaded machine, later)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(190));
    }

    @Test
    void waitersOfOneProcessAreServedInOrder() {
        RedisTokenBucket bucket = bucket().rate(50, Duration.ofSeconds(1)).build();
        List<Integer> order = new CopyOnWriteArrayList<>();
        Flux.range(0, 10)
                .flatMap(i -> bucket.acquire().doOnSuccess(v -> order.add(i)), 10)
                .blockLast(Duration.ofSeconds(10));
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(bucket.waiting()).isZero();
    }

    @Test
    void cancelledWaiterLeavesTheQueueAtOnce() {
        RedisTokenBucket bucket = bucket().rate(1, Duration.ofSeconds(30)).build();
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
        Disposable first = bucket.acquire().subscribe();
        Disposable second = bucket.acquire().subscribe();
        await().atMost(Duration.ofSeconds(5)).until(() -> bucket.waiting() == 2);
        second.dispose();
        assertThat(bucket.waiting()).isEqualTo(1);
        first.dispose(); // the head, sleeping on its timer
        assertThat(bucket.waiting()).isZero();
    }

    @Test
    void tryAcquireNeverOvertakesWaiters() {
        RedisTokenBucket bucket =
                bucket().rate(1, Duration.ofSeconds(30)).burst(1).build();
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
        Disposable waiter = bucket.acquire().subscribe();
        await().atMost(Duration.ofSeconds(5)).until(() -> bucket.waiting() == 1);
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isFalse();
        waiter.dispose();
    }

    @Test
    void pauseHoldsBackEveryInstanceOfTheBucket() {
        RedisTokenBucket here =
                bucket().rate(1, Duration.ofSeconds(1)).burst(10).build();
        // another process, as far as Redis can tell: another connection, another instance, the same name
        RedisTokenBucket there = RedisTokenBucket.builder(other, name)
                .rate(1, Duration.ofSeconds(1))
                .burst(10)
                .build();
        long start = System.nanoTime();
        here.pause(Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
        assertThat(there.tryAcquire(1).block(Duration.ofSeconds(5))).isFalse();
        Duration estimate = there.estimatedWait(1).block(Duration.ofSeconds(5));
        assertThat(estimate).isBetween(Duration.ofMillis(500), Duration.ofSeconds(2));
        there.acquire().block(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1990));
        // after the pause tokens flow at the rate again, one at a time
        assertThat(there.tryAcquire(1).block(Duration.ofSeconds(5))).isFalse();
    }

    @Test
    void fractionalAndSlowRatesWork() {
        // 0.25 per second: one token every 4 s (what a whole-second clock cannot express)
        RedisTokenBucket quarter = bucket().ratePerSecond(0.25).build();
        assertThat(quarter.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
        assertThat(quarter.estimatedWait(1).block(Duration.ofSeconds(5)))
                .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));

        // 2.5 per second as a rational rate: 5 per 2 s, burst 5
        RedisTokenBucket twoAndAHalf = RedisTokenBucket.builder(connection, name + "-2.5")
                .rate(5, Duration.ofSeconds(2))
                .burst(5)
                .build();
        assertThat(twoAndAHalf.tryAcquire(5).block(Duration.ofSeconds(5))).isTrue();
        assertThat(twoAndAHalf.estimatedWait(5).block(Duration.ofSeconds(5)))
                .isBetween(Duration.ofMillis(1000), Duration.ofSeconds(2));
    }

    @Test
    void stateIsOneKeyThatExpiresAfterAboutOneBurstInterval() {
        RedisTokenBucket bucket =
                bucket().rate(1, Duration.ofSeconds(1)).burst(5).build();
        bucket.acquire(5).block(Duration.ofSeconds(5));
        Long ttl = connection.sync().pttl(RedisTokenBucket.key(name));
        // five tokens of one second each: the key lives until the bucket would be full again
        assertThat(ttl).isBetween(3000L, 5001L);
        assertThat(connection.sync().keys("{" + name + "}*")).containsExactly(RedisTokenBucket.key(name));
    }

    @Test
    void scriptIsLoadedAgainAfterTheServerForgetsIt() {
        RedisTokenBucket bucket =
                bucket().rate(1, Duration.ofSeconds(30)).burst(2).build();
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
        connection.sync().scriptFlush();
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isFalse();
    }

    @Test
    void manyConcurrentCallersAreAllServed() {
        RedisTokenBucket bucket =
                bucket().rate(2000, Duration.ofSeconds(1)).burst(10).build();
        long granted = Flux.range(0, 400)
                .parallel(4)
                .runOn(Schedulers.parallel())
                .flatMap(i -> bucket.acquire().thenReturn(1))
                .sequential()
                .count()
                .block(Duration.ofSeconds(20));
        assertThat(granted).isEqualTo(400);
        assertThat(bucket.waiting()).isZero();
    }

    @Test
    void keyOfAnotherTypeFailsNamingTheKey() {
        connection.sync().hset(RedisTokenBucket.key(name), "field", "value");
        RedisTokenBucket bucket = bucket().rate(10, Duration.ofSeconds(1)).build();
        StepVerifier.create(bucket.acquire())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(RedisKeyTypeException.class)
                        .hasMessageContaining(RedisTokenBucket.key(name))
                        .extracting(x -> ((RedisKeyTypeException) x).key())
                        .isEqualTo(RedisTokenBucket.key(name)))
                .verify(Duration.ofSeconds(5));
        connection.sync().set(RedisTokenBucket.key(name + "-s"), "not a number");
        StepVerifier.create(RedisTokenBucket.builder(connection, name + "-s")
                        .rate(1, Duration.ofSeconds(1))
                        .build()
                        .tryAcquire(1))
                .expectError(RedisKeyTypeException.class)
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void redisDownFailsClosedByDefaultAndOpenWhenAskedReportingEachDecision() {
        RedisServer doomed = RedisTestSupport.server();
        RedisClient doomedClient = RedisTestSupport.client(doomed.uri());
        try (StatefulRedisConnection<String, String> c = doomedClient.connect()) {
            List<RedisFailure> failures = new CopyOnWriteArrayList<>();
            RedisTokenBucket closed = RedisTokenBucket.builder(c, name)
                    .rate(10, Duration.ofSeconds(1))
                    .timeout(Duration.ofMillis(500))
                    .onFailure(failures::add)
                    .build();
            RedisTokenBucket open = RedisTokenBucket.builder(c, name)
                    .rate(10, Duration.ofSeconds(1))
                    .timeout(Duration.ofMillis(500))
                    .failOpen()
                    .onFailure(failures::add)
                    .build();
            assertThat(closed.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
            doomed.stop();

            StepVerifier.create(closed.acquire())
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(RedisUnavailableException.class)
                            .hasMessageContaining(RedisTokenBucket.key(name)))
                    .verify(Duration.ofSeconds(5));
            assertThat(closed.tryAcquire(1).block(Duration.ofSeconds(5))).isFalse();
            StepVerifier.create(open.acquire()).expectComplete().verify(Duration.ofSeconds(5));
            assertThat(open.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
            assertThat(failures)
                    .extracting(RedisFailure::operation, RedisFailure::allowed)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("acquire", false),
                            org.assertj.core.groups.Tuple.tuple("tryAcquire", false),
                            org.assertj.core.groups.Tuple.tuple("acquire", true),
                            org.assertj.core.groups.Tuple.tuple("tryAcquire", true));

            doomed.restart();
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> Boolean.TRUE.equals(closed.tryAcquire(1).block(Duration.ofSeconds(2))));
        } finally {
            RedisTestSupport.shutdown(doomedClient);
            doomed.close();
        }
    }

    @Test
    void unreachableRedisAtStartIsAClearErrorWithinTheConnectTimeout() {
        RedisServer gone = RedisTestSupport.server();
        String uri = gone.uri();
        gone.close();
        RedisClient unreachable = RedisTestSupport.client(uri);
        try {
            long start = System.nanoTime();
            org.assertj.core.api.Assertions.assertThatThrownBy(unreachable::connect)
                    .isInstanceOf(RedisConnectionException.class)
                    .hasMessageContaining("127.0.0.1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        } finally {
            RedisTestSupport.shutdown(unreachable);
        }
    }

    @Test
    void acquireIsLazy() {
        RedisTokenBucket bucket = bucket().rate(1, Duration.ofSeconds(30)).build();
        Mono<Void> notSubscribed = bucket.acquire();
        assertThat(notSubscribed).isNotNull();
        assertThat(bucket.tryAcquire(1).block(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTokenBucket.builder(null, "x"))
                .withMessage("connection");
        assertThatNullPointerException()
                .isThrownBy(() -> RedisTokenBucket.builder(connection, null))
                .withMessage("name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisTokenBucket.builder(connection, ""))
                .withMessage("name must not be empty");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket().rate(0, Duration.ofSeconds(1)))
                .withMessage("tokens > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket().rate(1, Duration.ZERO))
                .withMessage("per > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket().ratePerSecond(-1.5))
                .withMessage("perSecond > 0 required but it was -1.5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket().ratePerSecond(Double.NaN))
                .withMessage("perSecond > 0 required but it was NaN");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket().burst(0))
                .withMessage("burst > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket().timeout(Duration.ZERO))
                .withMessage("timeout > 0 required but it was PT0S");
        assertThatNullPointerException()
                .isThrownBy(() -> bucket().scheduler(null))
                .withMessage("scheduler");
        assertThatIllegalStateException()
                .isThrownBy(() -> bucket().build())
                .withMessage("rate(tokens, per) or ratePerSecond(rate) is required");
        RedisTokenBucket bucket =
                bucket().rate(1, Duration.ofSeconds(1)).burst(3).build();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.acquire(0))
                .withMessage("tokens > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.tryAcquire(4))
                .withMessage("tokens <= burst (3) required but it was 4");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bucket.pause(Duration.ofMillis(-1)))
                .withMessage("pause >= 0 required but it was PT-0.001S");
        assertThatNullPointerException().isThrownBy(() -> bucket.pause(null)).withMessage("pause");
        assertThatNullPointerException()
                .isThrownBy(() -> bucket.withToken(null))
                .withMessage("task");
    }
}
