package io.github.reactorpatterns.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One process of {@link RedisTokenBucketProcessesTest}: {@code loops} callers acquire from a shared bucket (50/s,
 * burst 5) from the {@code go} line on stdin for {@code durationMillis}, then print what they got.
 * Args: uri name durationMillis loops open|closed.
 */
final class BucketChild {

    private BucketChild() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String name = args[1];
        long duration = Long.parseLong(args[2]);
        int loops = Integer.parseInt(args[3]);
        boolean open = args[4].equals("open");
        RedisClient client = RedisTestSupport.client(uri);
        StatefulRedisConnection<String, String> connection = client.connect();
        AtomicLong failures = new AtomicLong();
        RedisTokenBucket.Builder builder = RedisTokenBucket.builder(connection, name)
                .rate(50, Duration.ofSeconds(1))
                .burst(5)
                .timeout(Duration.ofSeconds(1))
                .onFailure(f -> failures.incrementAndGet());
        RedisTokenBucket bucket = (open ? builder.failOpen() : builder.failClosed()).build();
        System.out.println("ready");
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String go = in.readLine();
        long end = Long.parseLong(go.substring(3).trim()) + duration;
        List<Long> stamps = new CopyOnWriteArrayList<>();
        List<Long> openGrants = new CopyOnWriteArrayList<>();
        List<Long> denials = new CopyOnWriteArrayList<>();
        AtomicLong issued = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        Mono<Void> oneCall = Mono.defer(() -> {
            issued.incrementAndGet();
            return bucket.acquireStamped(1)
                    .doOnNext(stamp -> {
                        if (stamp < 0) {
                            openGrants.add(System.currentTimeMillis());
                        } else {
                            stamps.add(stamp);
                        }
                    })
                    .then()
                    .onErrorResume(RedisUnavailableException.class, e -> {
                        denials.add(System.currentTimeMillis());
                        return Mono.delay(Duration.ofMillis(20)).then();
                    })
                    .doOnTerminate(completed::incrementAndGet);
        });
        Flux.range(0, loops)
                .flatMap(
                        i -> oneCall.repeat(() -> System.currentTimeMillis() < end)
                                .then(),
                        loops)
                .blockLast(Duration.ofMillis(duration + 30_000));

        System.out.println("issued " + issued.get());
        System.out.println("completed " + completed.get());
        System.out.println("failures " + failures.get());
        System.out.println("stamps " + join(stamps));
        System.out.println("open " + join(openGrants));
        System.out.println("denied " + join(denials));
        System.out.println("done");
        System.out.flush();
        connection.close();
        RedisTestSupport.shutdown(client);
        System.exit(0);
    }

    private static String join(List<Long> values) {
        StringJoiner j = new StringJoiner(",");
        for (Long v : values) {
            j.add(Long.toString(v));
        }
        return j.toString();
    }
}
