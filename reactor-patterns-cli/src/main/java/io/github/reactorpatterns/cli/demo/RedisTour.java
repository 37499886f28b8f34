package io.github.reactorpatterns.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.redis.RedisTokenBucket;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The tour's Redis step: two clients, each with its own connection and its own {@link RedisTokenBucket} instance
 * (as two processes would have), share one bucket through an embedded Redis; together they stay at its rate.
 */
final class RedisTour {

    static final int RATE_PER_SECOND = 20;
    static final int BURST = 2;
    static final int CALLS_PER_CLIENT = 20;
    static final String NAME = "demo-partner-api";

    private RedisTour() {}

    /** The step; starts Redis (blocking, on boundedElastic) and stops it afterwards. */
    static Mono<Step> sharedBucket(DemoServer server, DemoHttp http) {
        return Mono.usingWhen(
                Mono.fromCallable(Fleet::start).subscribeOn(Schedulers.boundedElastic()),
                fleet -> run(fleet, server, http),
                fleet -> Mono.fromRunnable(fleet::close).subscribeOn(Schedulers.boundedElastic()));
    }

    private static Mono<Step> run(Fleet fleet, DemoServer server, DemoHttp http) {
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        long begin = System.nanoTime();
        Flux<String> a = client(fleet.bucketA, "a", starts, server, http);
        Flux<String> b = client(fleet.bucketB, "b", starts, server, http);
        return Flux.merge(a, b).then(Mono.fromCallable(() -> {
            long first = starts.stream().mapToLong(Long::longValue).min().orElse(begin);
            long last = starts.stream().mapToLong(Long::longValue).max().orElse(begin);
            double achieved = (starts.size() - BURST) / Math.max((last - first) / 1e9, 1e-9);
            double off = (achieved - RATE_PER_SECOND) / RATE_PER_SECOND;
            String rate = String.format(Locale.ROOT, "%.1f/s", achieved);
            List<String> details = new ArrayList<>(List.of(
                    "an embedded Redis (" + fleet.redis.uri() + "); two clients, each with its own connection and "
                            + "RedisTokenBucket \"" + NAME + "\" (" + RATE_PER_SECOND + "/s, burst " + BURST + ")",
                    "each client made " + CALLS_PER_CLIENT + " calls at once; together: " + starts.size()
                            + " calls, " + BURST + " at once (the burst), the rest over "
                            + String.format(Locale.ROOT, "%.2fs", (last - first) / 1e9) + " = " + rate
                            + " combined (set: " + RATE_PER_SECOND + "/s for both together)",
                    "the bucket lives in Redis (one key, timed by Redis TIME): start the same command in more "
                            + "processes and the rate still holds for all of them"));
            if (off < -0.05) {
                details.add("(below the set rate: this machine is busy and the timers fired late; the bucket never "
                        + "goes above the rate)");
            }
            boolean ok = starts.size() == 2 * CALLS_PER_CLIENT && off <= 0.02 && off >= -0.25;
            return new Step(
                    "one limit for two clients (RedisTokenBucket)",
                    "set " + RATE_PER_SECOND + "/s shared, achieved " + rate + " combined ("
                            + String.format(Locale.ROOT, "%+.1f", off * 100) + "%)",
                    details,
                    Duration.ofNanos(System.nanoTime() - begin),
                    ok);
        }));
    }

    private static Flux<String> client(
            RedisTokenBucket bucket, String who, List<Long> starts, DemoServer server, DemoHttp http) {
        return Flux.range(0, CALLS_PER_CLIENT)
                .transform(Gather.unordered(
                        CALLS_PER_CLIENT,
                        (Integer id) -> bucket.withToken(Mono.defer(() -> {
                            starts.add(System.nanoTime());
                            return http.get(server.url("/items/" + who + id));
                        }))));
    }

    /** The embedded Redis and the two clients. */
    private static final class Fleet implements AutoCloseable {
        final RedisServer redis;
        final RedisClient clientA;
        final RedisClient clientB;
        final StatefulRedisConnection<String, String> connectionA;
        final StatefulRedisConnection<String, String> connectionB;
        final RedisTokenBucket bucketA;
        final RedisTokenBucket bucketB;

        private Fleet(RedisServer redis) {
            this.redis = redis;
            this.clientA = RedisClient.create(redis.uri());
            this.clientB = RedisClient.create(redis.uri());
            this.connectionA = clientA.connect();
            this.connectionB = clientB.connect();
            this.bucketA = RedisTokenBucket.builder(connectionA, NAME)
                    .rate(RATE_PER_SECOND, Duration.ofSeconds(1))
                    .burst(BURST)
                    .build();
            this.bucketB = RedisTokenBucket.builder(connectionB, NAME)
                    .rate(RATE_PER_SECOND, Duration.ofSeconds(1))
                    .burst(BURST)
                    .build();
        }

        static Fleet start() {
            return new Fleet(RedisServer.start());
        }

        @Override
        public void close() {
            connectionA.close();
            connectionB.close();
            clientA.shutdown(0, 2, TimeUnit.SECONDS);
            clientB.shutdown(0, 2, TimeUnit.SECONDS);
            redis.close();
        }
    }
}
