package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fetch --redis}: several runs share one rate limit and one concurrency limit through a real Redis. */
class FetchRedisTest {

    private MockHttpServer server;

    @BeforeEach
    void start() {
        server = MockHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String urls(int n, String prefix) {
        return IntStream.range(0, n)
                .mapToObj(i -> server.url(prefix + i).toString())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void twoRunsShareOneRateAndOneConcurrencyLimit() throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        server.dispatcher(r -> {
            arrivals.add(System.nanoTime());
            return MockResponse.builder()
                    .body("ok")
                    .headersDelay(Duration.ofMillis(30))
                    .build();
        });
        try (RedisServer redis = RedisServer.start()) {
            String[] args = {
                "fetch",
                "--rate",
                "20/s",
                "--burst",
                "1",
                "-c",
                "2",
                "--redis",
                redis.uri(),
                "--limit-name",
                "shared-test",
                "-"
            };
            CompletableFuture<CliRun> a = CompletableFuture.supplyAsync(() -> CliRun.run(urls(11, "/a/"), args));
            CompletableFuture<CliRun> b = CompletableFuture.supplyAsync(() -> CliRun.run(urls(11, "/b/"), args));
            CliRun first = a.get(60, TimeUnit.SECONDS);
            CliRun second = b.get(60, TimeUnit.SECONDS);

            assertThat(first.exitCode()).as("%s", first.err()).isZero();
            assertThat(second.exitCode()).as("%s", second.err()).isZero();
            assertThat(first.out()).hasSize(11);
            assertThat(second.out()).hasSize(11);
            assertThat(arrivals).hasSize(22);
            long spanMillis = (arrivals.stream()
                                    .mapToLong(Long::longValue)
                                    .max()
                                    .orElseThrow()
                            - arrivals.stream().mapToLong(Long::longValue).min().orElseThrow())
                    / 1_000_000;
            // 22 requests at 20/s for both runs together (burst 1): 21 gaps of 50 ms; each run alone would take 0.5 s
            assertThat(spanMillis).isGreaterThanOrEqualTo(1000);
            // two permits for both runs together
            assertThat(server.maxConcurrentRequests()).isBetween(1, 2);
        }
    }

    @Test
    void aMalformedRedisUriIsOneLineAndExitTwo() {
        CliRun run = CliRun.run(server.url("/x").toString(), "fetch", "--redis", "localhost:6379", "-");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .containsExactly("reactor-patterns fetch: --redis must be a Redis URI such as "
                        + "redis://localhost:6379 but was 'localhost:6379'");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void anUnreachableRedisIsOneLineAndExitTwo() {
        RedisServer gone = RedisServer.start();
        String uri = gone.uri();
        gone.close();
        long start = System.nanoTime();
        CliRun run = CliRun.run(server.url("/x").toString(), "fetch", "--redis", uri, "-");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasSize(1);
        assertThat(run.err().get(0)).startsWith("reactor-patterns fetch: cannot reach Redis at " + uri + ": ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isZero();
    }
}
