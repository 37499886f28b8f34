package io.github.reactorpatterns.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import reactor.core.publisher.Mono;

/**
 * One worker process of {@link RedisWorkQueueProcessesTest}: runs jobs until a {@code stop} line on stdin, then shuts
 * down with a grace period. A job whose payload starts with {@code fail} always fails. Each job start checks that
 * the job was not acknowledged before ({@code name:violations} counts those). Args: uri name workers.
 */
final class WorkerChild {

    private WorkerChild() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String name = args[1];
        int workers = Integer.parseInt(args[2]);
        RedisClient client = RedisTestSupport.client(uri);
        StatefulRedisConnection<String, String> book = client.connect();
        RedisReactiveCommands<String, String> r = book.reactive();
        RedisWorkQueue queue = RedisWorkQueue.builder(client, name)
                .workers(workers)
                .maxAttempts(3)
                .visibilityTimeout(Duration.ofSeconds(4))
                .block(Duration.ofMillis(200))
                .retryDelay(Duration.ofMillis(10))
                .onAcknowledged(job -> book.async().sadd(name + ":acked", job.id()))
                .build();
        queue.start(job -> r.sismember(name + ":acked", job.id())
                .flatMap(acked -> acked ? r.incr(name + ":violations") : Mono.just(0L))
                .then(r.hincrby(name + ":starts", job.id(), 1))
                .then(
                        job.payload().startsWith("fail")
                                ? Mono.error(new IllegalStateException("boom " + job.payload()))
                                : Mono.empty()));
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("stop")) {
            // wait for stop
        }
        queue.shutdown(Duration.ofSeconds(5)).block(Duration.ofSeconds(30));
        System.out.println("stopped");
        System.out.flush();
        book.close();
        RedisTestSupport.shutdown(client);
        System.exit(0);
    }
}
