package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code fetch} in-process against {@link MockHttpServer}: what reaches the server and what the tool reports. */
class FetchServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MockHttpServer server;

    @BeforeEach
    void start() {
        server = MockHttpServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String urls(String... paths) {
        return java.util.Arrays.stream(paths).map(p -> server.url(p).toString()).collect(Collectors.joining("\n"));
    }

    private String urls(int n, String prefix) {
        return IntStream.range(0, n)
                .mapToObj(i -> server.url(prefix + i).toString())
                .collect(Collectors.joining("\n"));
    }

    private static Map<String, JsonNode> byPath(CliRun run) {
        return run.out().stream()
                .map(line -> {
                    try {
                        return JSON.readTree(line);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .collect(Collectors.toMap(n -> URI.create(n.get("url").asText()).getPath(), n -> n));
    }

    private static double achievedRate(CliRun run) {
        Matcher m = Pattern.compile("rate: ([0-9.]+)/s achieved.*").matcher(run.errLine("rate:"));
        assertThat(m.matches()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void fetchesAndReportsStatusBytesAndAttempts() {
        server.dispatcher(r ->
                r.path().startsWith("/ok") ? MockResponse.of(200, "hello") : MockResponse.of(404, "no such thing"));
        CliRun run = CliRun.run(urls("/ok/1", "/ok/2", "/missing"), "fetch", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        Map<String, JsonNode> results = byPath(run);
        assertThat(results).hasSize(3);
        JsonNode ok = results.get("/ok/1");
        assertThat(ok.get("status").asInt()).isEqualTo(200);
        assertThat(ok.get("bytes").asLong()).isEqualTo(5);
        assertThat(ok.get("attempts").asInt()).isEqualTo(1);
        assertThat(ok.get("error").isNull()).isTrue();
        assertThat(ok.get("ms").asLong()).isNotNegative();
        JsonNode missing = results.get("/missing");
        assertThat(missing.get("status").asInt()).isEqualTo(404);
        assertThat(missing.get("bytes").asLong()).isEqualTo(13);
        assertThat(missing.get("attempts").asInt()).as("404 is not retried").isEqualTo(1);
        assertThat(missing.get("error").asText()).isEqualTo("HTTP 404");
        assertThat(run.errLine("requests:")).matches("requests: 3 in \\S+, 2 succeeded, 1 failed \\(http 404: 1\\)");
        assertThat(run.errLine("retries:")).isEqualTo("retries: 0 (3 attempts)");
        assertThat(run.errLine("latency:")).matches("latency: p50 \\d+ms, p90 \\d+ms, p99 \\d+ms");
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void concurrencyLimitHoldsAtTheServer() {
        server.dispatcher(r -> MockResponse.builder()
                .body("x")
                .headersDelay(Duration.ofMillis(30))
                .build());
        CliRun run = CliRun.run(urls(40, "/slow/"), "fetch", "--concurrency", "4", "-");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).hasSize(40);
        assertThat(server.maxConcurrentRequests()).isBetween(1, 4);
        assertThat(run.errLine("concurrency:")).isEqualTo("concurrency: max 4 in flight (limit 4)");
    }

    @Test
    void rateLimitSpacesTheRequests() {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        server.dispatcher(r -> {
            arrivals.add(System.nanoTime());
            return MockResponse.of(200, "ok");
        });
        CliRun run = CliRun.run(urls(11, "/r/"), "fetch", "--rate", "20/s", "--burst", "1", "-c", "11", "-");

        assertThat(run.exitCode()).isZero();
        assertThat(arrivals).hasSize(11);
        long spanMillis = (arrivals.stream().mapToLong(Long::longValue).max().orElseThrow()
                        - arrivals.stream().mapToLong(Long::longValue).min().orElseThrow())
                / 1_000_000;
        // 11 requests at 20/s with a burst of 1: ten gaps of 50 ms (a little slack for timer granularity).
        assertThat(spanMillis).isGreaterThanOrEqualTo(450);
        assertThat(achievedRate(run)).isLessThanOrEqualTo(22.3);
        assertThat(run.errLine("rate:")).endsWith("(configured 20/s, burst 1)");
    }

    @Test
    void burstLetsTheFirstRequestsThroughAtOnce() {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        server.dispatcher(r -> {
            arrivals.add(System.nanoTime());
            return MockResponse.of(200, "ok");
        });
        long start = System.nanoTime();
        CliRun run = CliRun.run(urls(6, "/b/"), "fetch", "--rate", "2/s", "--burst", "5", "-c", "6", "-");

        assertThat(run.exitCode()).isZero();
        List<Long> sorted = arrivals.stream().sorted().toList();
        assertThat(sorted).hasSize(6);
        // the bucket starts full with 5 tokens; the sixth token comes one interval (500 ms) after it was made
        assertThat((sorted.get(5) - start) / 1_000_000).isGreaterThanOrEqualTo(490);
        assertThat(run.errLine("rate:")).endsWith("(configured 2/s, burst 5)");
    }

    @Test
    void retriesHonourRetryAfter() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        server.dispatcher(r -> seen.add(r.path())
                ? MockResponse.builder()
                        .status(503)
                        .header("Retry-After", "1")
                        .body("busy")
                        .build()
                : MockResponse.of(200, "done"));
        CliRun run = CliRun.run(urls("/a", "/b"), "fetch", "--retries", "2", "-");

        assertThat(run.exitCode()).isZero();
        for (JsonNode result : byPath(run).values()) {
            assertThat(result.get("status").asInt()).isEqualTo(200);
            assertThat(result.get("attempts").asInt()).isEqualTo(2);
            assertThat(result.get("ms").asLong())
                    .as("waited for Retry-After: 1")
                    .isGreaterThanOrEqualTo(1000);
        }
        assertThat(run.errLine("retries:")).isEqualTo("retries: 2 (4 attempts)");
        assertThat(server.requestCount()).isEqualTo(4);
    }

    @Test
    void retryAfterUnderARateLimitHoldsBackEveryRequest() {
        Map<String, Long> firstArrival = new ConcurrentHashMap<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        server.dispatcher(r -> {
            firstArrival.putIfAbsent(r.path(), System.nanoTime());
            return r.path().equals("/a") && seen.add(r.path())
                    ? MockResponse.builder()
                            .status(503)
                            .header("Retry-After", "1")
                            .build()
                    : MockResponse.of(200, "ok");
        });
        CliRun run = CliRun.run(
                urls("/a", "/b1", "/b2", "/b3", "/b4", "/b5"),
                "fetch",
                "--rate",
                "50/s",
                "-c",
                "6",
                "--retries",
                "1",
                "-");

        assertThat(run.exitCode()).isZero();
        long lastB = firstArrival.entrySet().stream()
                .filter(e -> e.getKey().startsWith("/b"))
                .mapToLong(Map.Entry::getValue)
                .max()
                .orElseThrow();
        // without the pause the five /b requests would follow /a within 5 x 20 ms
        assertThat((lastB - firstArrival.get("/a")) / 1_000_000).isGreaterThanOrEqualTo(900);
    }

    @Test
    void exhaustedRetriesReportTheLastStatus() {
        server.dispatcher(r ->
                MockResponse.builder().status(503).header("Retry-After", "0").build());
        CliRun run = CliRun.run(urls("/down"), "fetch", "--retries", "2", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode result = byPath(run).get("/down");
        assertThat(result.get("status").asInt()).isEqualTo(503);
        assertThat(result.get("attempts").asInt()).isEqualTo(3);
        assertThat(result.get("error").asText()).isEqualTo("HTTP 503");
        assertThat(run.errLine("requests:")).endsWith("0 succeeded, 1 failed (http 503: 1)");
        assertThat(run.errLine("retries:")).isEqualTo("retries: 2 (3 attempts)");
    }

    @Test
    void nonIdempotentMethodsAreNotRetried() {
        server.dispatcher(r ->
                MockResponse.builder().status(503).header("Retry-After", "0").build());
        CliRun run = CliRun.run(urls("/post"), "fetch", "-X", "POST", "--retries", "3", "-");

        assertThat(byPath(run).get("/post").get("attempts").asInt()).isEqualTo(1);
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void eachAttemptTimesOut() {
        server.dispatcher(r -> MockResponse.builder().noResponse().build());
        CliRun run = CliRun.run(urls("/hang"), "fetch", "--timeout", "200ms", "--retries", "1", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode result = byPath(run).get("/hang");
        assertThat(result.get("status").isNull()).isTrue();
        assertThat(result.get("attempts").asInt()).isEqualTo(2);
        assertThat(result.get("error").asText()).isEqualTo("timeout: response took longer than 200ms");
        assertThat(result.get("ms").asLong()).isGreaterThanOrEqualTo(400);
        assertThat(run.errLine("requests:")).endsWith("1 failed (timeout: 1)");
    }

    @Test
    void deadlineCutsOffTheRun() {
        server.dispatcher(r -> MockResponse.builder().noResponse().build());
        CliRun run = CliRun.run(
                urls("/1", "/2", "/3"), "fetch", "-c", "1", "--ordered", "--timeout", "1m", "--deadline", "300ms", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        Map<String, JsonNode> results = byPath(run);
        assertThat(results.get("/1").get("error").asText()).isEqualTo("deadline exceeded");
        assertThat(results.get("/1").get("attempts").isNull())
                .as("cut off inside the client: not known")
                .isTrue();
        assertThat(results.get("/1").get("ms").asLong()).isGreaterThanOrEqualTo(250);
        assertThat(results.get("/2").get("error").asText()).isEqualTo("deadline exceeded before the request started");
        assertThat(results.get("/2").get("attempts").asInt()).isZero();
        assertThat(results.get("/3").get("attempts").asInt()).isZero();
        assertThat(run.errLine("requests:")).endsWith("0 succeeded, 3 failed (deadline: 1, deadline (not started): 2)");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void deadlineKeepsTheResultsThatFinishedBehindASlowOne() {
        server.dispatcher(r ->
                r.path().equals("/hang") ? MockResponse.builder().noResponse().build() : MockResponse.of(200, "fine"));
        // warm up the client machinery first, so that all three start well before the deadline even in a cold JVM
        assertThat(CliRun.run(urls("/ok0"), "fetch", "-").exitCode()).isZero();
        CliRun run = CliRun.run(
                urls("/hang", "/ok1", "/ok2"),
                "fetch",
                "-c",
                "3",
                "--ordered",
                "--timeout",
                "1m",
                "--deadline",
                "1s",
                "-");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).hasSize(3);
        assertThat(run.out().get(0)).contains("/hang", "\"error\":\"deadline exceeded\"", "\"attempts\":null");
        assertThat(run.out().get(1)).contains("/ok1", "\"status\":200", "\"error\":null");
        assertThat(run.out().get(2)).contains("/ok2", "\"status\":200", "\"error\":null");
        assertThat(run.errLine("requests:")).endsWith("2 succeeded, 1 failed (deadline: 1)");
    }

    @Test
    void deadlineUnderARateLimitCutsOffTheWaitingRequests() {
        server.dispatcher(r -> MockResponse.of(200, "ok"));
        CliRun run = CliRun.run(urls(10, "/p/"), "fetch", "--rate", "2/s", "-c", "10", "--deadline", "1s", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        Map<String, JsonNode> results = byPath(run);
        assertThat(results).hasSize(10);
        List<JsonNode> fetched =
                results.values().stream().filter(n -> !n.get("status").isNull()).toList();
        List<JsonNode> cutOff =
                results.values().stream().filter(n -> n.get("status").isNull()).toList();
        // 2/s with a burst of 1 over 1s: two or three requests made it, the others were waiting for a token
        assertThat(fetched)
                .hasSizeBetween(1, 3)
                .allSatisfy(n -> assertThat(n.get("status").asInt()).isEqualTo(200));
        assertThat(cutOff)
                .hasSize(10 - fetched.size())
                .allSatisfy(n -> assertThat(n.get("error").asText()).startsWith("deadline exceeded"));
        assertThat(server.requestCount()).isEqualTo(fetched.size());
        assertThat(run.errLine("rate:")).endsWith("(configured 2/s, burst 1)");
    }

    @Test
    void sendsTheMethodAndHeaders() {
        server.dispatcher(r -> MockResponse.of(200, ""));
        CliRun run =
                CliRun.run(urls("/h"), "fetch", "-X", "DELETE", "-H", "X-Token: abc", "-H", "Accept: text/plain", "-");

        assertThat(run.exitCode()).isZero();
        RecordedRequest request = server.takeRequest(Duration.ofSeconds(5));
        assertThat(request).isNotNull();
        assertThat(request.method()).isEqualTo("DELETE");
        assertThat(request.header("X-Token")).isEqualTo("abc");
        assertThat(request.header("Accept")).isEqualTo("text/plain");
    }

    @Test
    void http2FetchesOverH2c() {
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));
        CliRun run = CliRun.run(urls("/h2"), "fetch", "--http2", "-");

        assertThat(run.exitCode()).isZero();
        RecordedRequest request = server.takeRequest(Duration.ofSeconds(5));
        assertThat(request).isNotNull();
        assertThat(request.protocol()).containsIgnoringCase("2");
    }

    @Test
    void connectionRefusedIsAConnectFailure() {
        URI url = server.url("/gone");
        server.close();
        CliRun run = CliRun.run(url.toString(), "fetch", "--retries", "0", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode result = JSON.valueToTree(Map.of());
        try {
            result = JSON.readTree(run.out().get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(result.get("error").asText()).startsWith("connect failed: Connection refused");
        assertThat(run.errLine("requests:")).endsWith("1 failed (connect: 1)");
    }
}
