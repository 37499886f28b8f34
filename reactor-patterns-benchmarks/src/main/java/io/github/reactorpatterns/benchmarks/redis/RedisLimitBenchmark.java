package io.github.reactorpatterns.benchmarks.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.redis.RedisSemaphore;
import io.github.reactorpatterns.redis.RedisTokenBucket;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One client process against a loopback Redis (the test kit's {@code RedisServer}): {@code OPS} calls per
 * invocation with {@code inFlight} of them at once, for {@code RedisTokenBucket.tryAcquire(1)},
 * {@code RedisSemaphore} acquire + release, a raw Lettuce {@code GET} (the round-trip floor) and Bucket4j's Lettuce
 * bucket {@code tryConsume(1)}. Limits are set so that every call is granted (the granting path is measured).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RedisLimitBenchmark {

    static final int OPS = 2_000;

    @Param({"1", "64"})
    public int inFlight;

    RedisServer server;
    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    StatefulRedisConnection<byte[], byte[]> bytes;
    RedisReactiveCommands<String, String> commands;
    RedisTokenBucket bucket;
    RedisSemaphore semaphore;
    AsyncBucketProxy bucket4j;

    @Setup
    public void setUp() {
        server = RedisServer.start();
        client = RedisClient.create(server.uri());
        connection = client.connect();
        commands = connection.reactive();
        connection.sync().set("key", "value");
        bucket = RedisTokenBucket.builder(connection, "bench").rate(1_000_000_000L, Duration.ofSeconds(1))
                .burst(1_000_000).build();
        semaphore = RedisSemaphore.builder(client, "bench", 10_000).build();
        bytes = client.connect(ByteArrayCodec.INSTANCE);
        bucket4j = Bucket4jLettuce.casBasedBuilder(bytes).build().asAsync().builder()
                .build("bench-bucket4j".getBytes(StandardCharsets.UTF_8), BucketConfiguration.builder()
                        .addLimit(limit -> limit.capacity(1_000_000).refillGreedy(1_000_000_000L,
                                Duration.ofSeconds(1)))
                        .build());
    }

    @TearDown
    public void tearDown() {
        semaphore.close();
        bytes.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }

    private long run(java.util.function.IntFunction<Mono<?>> call) {
        return Flux.range(0, OPS).flatMap(call::apply, inFlight).count().block();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long rawGet() {
        return run(i -> commands.get("key"));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long redisTokenBucketTryAcquire() {
        return run(i -> bucket.tryAcquire(1));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long redisSemaphoreAcquireRelease() {
        return run(i -> semaphore.acquire().doOnNext(Permit::release));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long bucket4jLettuceTryConsume() {
        return run(i -> Mono.fromFuture(() -> bucket4j.tryConsume(1)));
    }
}
