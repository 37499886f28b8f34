package io.github.reactorpatterns.benchmarks.redis;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.redis.RedisSemaphore;
import io.github.reactorpatterns.redis.RedisTokenBucket;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One client process against a loopback Redis (the test kit's {@code RedisServer}): {@code OPS} calls per
 * invocation with {@code inFlight} of them at once, for {@code RedisTokenBucket.tryAcquire(1)},
 * {@code RedisSemaphore} acquire + release, a raw Lettuce {@code GET} (the round-trip floor) and Bucket4j's Lettuce
 * bucket {@code tryConsume(1)}. Limits are set so that every call is granted (the granting path is measured).
 *
 * <p>The floor our classes cannot go below is measured as well: a raw Lettuce {@code EVALSHA} of exactly the
 * bucket's script with the bucket's own key and arguments ({@code rawEvalshaBucket}), and the semaphore's acquire
 * script followed by its release script ({@code rawEvalshaSemaphore}). What separates {@code rawGet} from those is
 * the script's cost on the server; what separates them from ours is our client-side overhead. A raw call
 * completes on Lettuce's event loop, and so does the next call that the completion starts: no thread hand-off at
 * all. {@code rawEvalshaBucketOffLoop} is the same script with its reply handed to {@code Schedulers.parallel()}
 * ({@code publishOn}), which is what any caller pays whose code must not run on the event loop, as ours promises.
 *
 * <p>After every iteration a line {@code cpu/call:} is printed with the CPU time per call of this JVM (all
 * threads: JIT and GC included) and of the Redis server process, from the operating system's accounting.
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
    String bucketSha;
    String[] bucketKeys;
    String[] bucketArgs;
    String acquireSha;
    String releaseSha;
    String[] semaphoreKeys;
    String semaphorePermits;
    String semaphoreLease;
    String semaphoreChannel;
    long ids;

    long calls;
    long jvmCpuAtStart;
    long redisCpuAtStart;

    @Setup
    public void setUp() {
        server = RedisServer.start();
        client = RedisClient.create(server.uri());
        connection = client.connect();
        commands = connection.reactive();
        connection.sync().set("key", "value");
        bucket = RedisTokenBucket.builder(connection, "bench")
                .rate(1_000_000_000L, Duration.ofSeconds(1))
                .burst(1_000_000)
                .build();
        semaphore = RedisSemaphore.builder(client, "bench", 10_000).build();
        bytes = client.connect(ByteArrayCodec.INSTANCE);
        bucket4j = Bucket4jLettuce.casBasedBuilder(bytes)
                .build()
                .asAsync()
                .builder()
                .build(
                        "bench-bucket4j".getBytes(StandardCharsets.UTF_8),
                        BucketConfiguration.builder()
                                .addLimit(limit ->
                                        limit.capacity(1_000_000).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
                                .build());
        // exactly the scripts and arguments our classes send (read from them, so the floor cannot drift)
        bucketSha = connection.sync().scriptLoad(staticString(RedisTokenBucket.class, "SCRIPT"));
        bucketKeys = new String[] {RedisTokenBucket.key("bench")};
        bucketArgs = new String[] {"a", field(bucket, "intervalMicros"), field(bucket, "burstArg"), "1"};
        acquireSha = connection.sync().scriptLoad(staticString(RedisSemaphore.class, "ACQUIRE"));
        releaseSha = connection.sync().scriptLoad(staticString(RedisSemaphore.class, "RELEASE"));
        semaphoreKeys = new String[] {RedisSemaphore.key("bench")};
        semaphorePermits = field(semaphore, "permitsArg");
        semaphoreLease = field(semaphore, "leaseMicros");
        semaphoreChannel = field(semaphore, "channel");
    }

    @Setup(Level.Iteration)
    public void startCpu() {
        calls = 0;
        jvmCpuAtStart = jvmCpuNanos();
        redisCpuAtStart = redisCpuNanos();
    }

    @TearDown(Level.Iteration)
    public void printCpu() {
        long jvm = jvmCpuNanos() - jvmCpuAtStart;
        long redis = redisCpuNanos() - redisCpuAtStart;
        if (calls > 0) {
            System.out.printf(
                    "%ncpu/call: jvm %.1f us, redis %.1f us (%d calls)%n",
                    jvm / 1000.0 / calls, redis / 1000.0 / calls, calls);
        }
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    long redisCpuNanos() {
        return ProcessHandle.of(server.pid())
                .flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(0L);
    }

    private static String staticString(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String field(Object target, String name) {
        try {
            Field f = target.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return (String) f.get(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @TearDown
    public void tearDown() {
        semaphore.close();
        bytes.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        server.close();
    }

    private long run(IntFunction<Publisher<?>> call) {
        calls += OPS;
        return Flux.range(0, OPS).flatMap(call::apply, inFlight).count().block();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long rawGet() {
        return run(i -> commands.get("key"));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long rawEvalshaBucket() {
        return run(i -> commands.evalsha(bucketSha, ScriptOutputType.MULTI, bucketKeys, bucketArgs));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long rawEvalshaBucketOffLoop() {
        return run(i -> Mono.from(commands.evalsha(bucketSha, ScriptOutputType.MULTI, bucketKeys, bucketArgs))
                .publishOn(Schedulers.parallel()));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long rawEvalshaSemaphore() {
        return run(i -> {
            String id = "raw:" + (++ids);
            return commands.evalsha(
                            acquireSha, ScriptOutputType.MULTI, semaphoreKeys, semaphorePermits, id, semaphoreLease)
                    .thenMany(commands.evalsha(
                            releaseSha, ScriptOutputType.INTEGER, semaphoreKeys, id, semaphoreChannel));
        });
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
