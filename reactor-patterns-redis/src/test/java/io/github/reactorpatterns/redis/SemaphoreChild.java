package io.github.reactorpatterns.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.reactorpatterns.limit.Permit;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One process of {@link RedisSemaphoreProcessesTest}. Args: uri name jobs N (run N jobs under a RedisSemaphore(5),
 * each counting the holders at once in Redis), or uri name hold N (take N permits and wait to be killed).
 */
final class SemaphoreChild {

    /** Counts a holder in and records the peak: KEYS[1] the count, KEYS[2] the peak. */
    static final String ENTER = "local n = redis.call('INCR', KEYS[1]) "
            + "if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end return n";

    private SemaphoreChild() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String name = args[1];
        String mode = args[2];
        int n = Integer.parseInt(args[3]);
        RedisClient client = RedisTestSupport.client(uri);
        StatefulRedisConnection<String, String> work = client.connect();
        RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 5)
                .lease(Duration.ofSeconds(2))
                .renewEvery(Duration.ofMillis(500))
                .recheckEvery(Duration.ofMillis(200))
                .build();
        System.out.println("ready");
        System.out.flush();
        if (mode.equals("hold")) {
            List<Permit> held = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                held.add(semaphore.acquire().block(Duration.ofSeconds(30)));
            }
            System.out.println("holding " + held.size());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
        String count = name + ":holders";
        String peak = name + ":peak";
        String done = name + ":done";
        Mono<Void> job = semaphore.withPermit(work.reactive()
                .<Long>eval(ENTER, ScriptOutputType.INTEGER, count, peak)
                .then()
                .then(Mono.delay(Duration.ofMillis(10)))
                .then(work.reactive().decr(count))
                .then(work.reactive().incr(done))
                .then());
        Flux.range(0, n).flatMap(i -> job, 8).blockLast(Duration.ofSeconds(120));
        System.out.println("done");
        System.out.flush();
        semaphore.close();
        work.close();
        RedisTestSupport.shutdown(client);
        System.exit(0);
    }
}
