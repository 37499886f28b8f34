package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.stream.LineTooLongException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class PooledHttpClientTransportTest {

    @AutoClose
    private final Clients clients = new Clients();

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(r -> r.get("/small", (req, res) -> res.sendString(Mono.just("ok")))
                .get("/slow", (req, res) -> {
                    long ms = Long.parseLong(req.param("ms") == null ? "5" : req.param("ms"));
                    return res.sendString(Mono.delay(Duration.ofMillis(ms)).thenReturn("slow"));
                })
                .get(
                        "/slow/{ms}",
                        (req, res) -> res.sendString(Mono.delay(Duration.ofMillis(Long.parseLong(req.param("ms"))))
                                .thenReturn("slow")))
                .get("/never", (req, res) -> Mono.never())
                .get("/stall", (req, res) -> res.sendString(Flux.just("first\n").concatWith(Flux.never())))
                .get("/lines", (req, res) -> res.sendString(Flux.just("a\nb", "c\r\n", "", "d")))
                .get(
                        "/ndjson",
                        (req, res) -> res.sendString(
                                Flux.just("{\"name\":\"a\",\"id\":1}\n\n{\"na", "me\":\"b\",\"id\":2}\n")))
                .get(
                        "/endless",
                        (req, res) -> res.sendString(Flux.range(0, Integer.MAX_VALUE)
                                .delayElements(Duration.ofMillis(1))
                                .map(i -> "line " + i + "\n")))
                .get(
                        "/long-line",
                        (req, res) -> res.sendString(Flux.just("short\n", "x".repeat(100), "y".repeat(100), "\n")))
                .get("/chunks", (req, res) -> res.sendString(Flux.just("abc", "defgh", "ij")))
                .get("/big", (req, res) -> res.header("Content-Length", "2000").sendString(Mono.just("z".repeat(2000))))
                .get(
                        "/big-chunked",
                        (req, res) -> res.sendString(Flux.range(0, 20).map(i -> "z".repeat(100))))
                .get("/missing-stream", (req, res) -> res.status(404).sendString(Mono.just("no stream"))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static PooledHttpClient.Builder builder() {
        // No retries: these tests watch single attempts fail.
        return PooledHttpClient.builder().baseUrl(server.url("")).retry(RetryPolicy.none());
    }

    @Test
    void sequentialRequestsReuseOneConnection() {
        PooledHttpClient client = clients.add(builder().maxConnections(4).build());
        int before = server.accepted.get();
        StepVerifier.create(Flux.range(0, 1000)
                        .concatMap(i -> client.get("/small").text())
                        .count())
                .expectNext(1000L)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(server.accepted.get() - before).isBetween(1, 4);
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void concurrentRequestsNeverExceedMaxConnections() {
        PooledHttpClient client = clients.add(builder()
                .maxConnections(8)
                .pendingAcquireTimeout(Duration.ofSeconds(60))
                .build());
        await().until(() -> server.open.get() == 0);
        server.maxOpen.set(0);
        StepVerifier.create(Flux.range(0, 500)
                        .flatMap(i -> client.get("/slow?ms=2").text(), 500)
                        .count())
                .expectNext(500L)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(server.maxOpen.get()).isBetween(1, 8);
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
        assertThat(client.poolMetrics().pending()).isZero();
    }

    @Test
    void cancellingAThousandInFlightRequestsReleasesEveryConnection() {
        PooledHttpClient client = clients.add(builder()
                .maxConnections(16)
                .pendingAcquireTimeout(Duration.ofSeconds(60))
                .build());
        // A request cancelled while its connection is being handed over can make reactor-netty close that
        // connection under the next request ("prematurely closed BEFORE response"); without a retry policy
        // that request fails with the IOException. What must never happen is a leaked connection.
        Flux<String> cancelled = Flux.range(0, 1000)
                .flatMap(
                        i -> client.get("/slow?ms="
                                        + ThreadLocalRandom.current().nextInt(0, 20))
                                .text()
                                .take(Duration.ofMillis(
                                        ThreadLocalRandom.current().nextInt(0, 20)))
                                .onErrorResume(java.io.IOException.class, e -> Mono.empty()),
                        1000);
        StepVerifier.create(cancelled.then()).expectComplete().verify(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            PoolMetrics m = client.poolMetrics();
            assertThat(m.acquired()).isZero();
            assertThat(m.pending()).isZero();
        });
        // Connections cancelled mid-response are closed; the rest sit idle in the pool.
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(server.open.get())
                        .isEqualTo(client.poolMetrics().idle()));
        StepVerifier.create(client.get("/small").text()).expectNext("ok").verifyComplete();
    }

    @Test
    void serverClosingIdleConnectionsFailsNoRequest() {
        try (TestServer closing = TestServer.start(
                r -> r.get("/x", (req, res) -> res.sendString(Mono.just("x"))),
                s -> s.idleTimeout(Duration.ofMillis(50)))) {
            PooledHttpClient client = clients.add(PooledHttpClient.builder().build());
            Mono<String> oneThenPause = client.get(closing.url("/x")).text().delayElement(Duration.ofMillis(150));
            StepVerifier.create(Flux.range(0, 5).concatMap(i -> oneThenPause))
                    .expectNext("x", "x", "x", "x", "x")
                    .verifyComplete();
            assertThat(closing.accepted.get()).isGreaterThan(1);
        }
    }

    @Test
    void responseTimeoutBoundsTheWaitForHeaders() {
        PooledHttpClient client =
                clients.add(builder().responseTimeout(Duration.ofMillis(200)).build());
        StepVerifier.create(client.get("/never").text())
                .expectErrorSatisfies(e -> {
                    assertThat(e)
                            .isInstanceOf(HttpTimeoutException.class)
                            .hasMessage("RESPONSE timeout of PT0.2S exceeded for GET " + server.url("/never"));
                    assertThat(((HttpTimeoutException) e).phase()).isEqualTo(HttpTimeoutException.Phase.RESPONSE);
                })
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void responseTimeoutDoesNotCutASlowBodyOnceHeadersArrived() {
        PooledHttpClient client =
                clients.add(builder().responseTimeout(Duration.ofMillis(300)).build());
        StepVerifier.create(client.get("/endless").lines().take(400).count())
                .expectNext(400L)
                .verifyComplete();
    }

    @Test
    void readTimeoutBoundsSilenceBetweenReads() {
        PooledHttpClient client =
                clients.add(builder().readTimeout(Duration.ofMillis(200)).build());
        StepVerifier.create(client.get("/stall").lines())
                .expectNext("first")
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(HttpTimeoutException.class);
                    assertThat(((HttpTimeoutException) e).phase()).isEqualTo(HttpTimeoutException.Phase.READ);
                    assertThat(((HttpTimeoutException) e).timeout()).isEqualTo(Duration.ofMillis(200));
                })
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void poolTimeoutWhenEveryConnectionIsBusy() {
        PooledHttpClient client = clients.add(builder()
                .maxConnections(1)
                .pendingAcquireTimeout(Duration.ofMillis(200))
                .build());
        reactor.core.Disposable hog = client.get("/never").text().subscribe();
        await().until(() -> client.poolMetrics().acquired() == 1);
        StepVerifier.create(client.get("/small").text())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(HttpTimeoutException.class);
                    assertThat(((HttpTimeoutException) e).phase()).isEqualTo(HttpTimeoutException.Phase.POOL);
                })
                .verify(Duration.ofSeconds(10));
        hog.dispose();
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
        StepVerifier.create(client.get("/small").text()).expectNext("ok").verifyComplete();
    }

    @Test
    void linesSplitAcrossChunks() {
        PooledHttpClient client = clients.add(builder().build());
        StepVerifier.create(client.get("/lines").lines())
                .expectNext("a", "bc", "d")
                .verifyComplete();
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void linesHonourBackpressure() {
        PooledHttpClient client = clients.add(builder().build());
        StepVerifier.create(client.get("/lines").lines(), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .thenRequest(1)
                .expectNext("a")
                .thenRequest(2)
                .expectNext("bc", "d")
                .verifyComplete();
    }

    @Test
    void cancellingLinesHalfwayReleasesTheConnection() {
        PooledHttpClient client = clients.add(builder().build());
        int before = server.open.get();
        StepVerifier.create(client.get("/endless").lines().take(3))
                .expectNext("line 0", "line 1", "line 2")
                .verifyComplete();
        await().untilAsserted(() -> {
            await().untilAsserted(
                            () -> assertThat(client.poolMetrics().acquired()).isZero());
            assertThat(server.open.get()).isLessThanOrEqualTo(before);
        });
    }

    @Test
    void overlongLineFailsClearly() {
        PooledHttpClient client = clients.add(builder().maxLineLength(150).build());
        StepVerifier.create(client.get("/long-line").lines())
                .expectNext("short")
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(LineTooLongException.class);
                    assertThat(((LineTooLongException) e).getMaxLineLength()).isEqualTo(150);
                    assertThat(((LineTooLongException) e).getLineNumber()).isEqualTo(2);
                })
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void streamingTerminalsRaiseOnStatus() {
        PooledHttpClient client = clients.add(builder().build());
        StepVerifier.create(client.get("/missing-stream").lines())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(HttpStatusException.class);
                    assertThat(((HttpStatusException) e).bodyAsString()).isEqualTo("no stream");
                })
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void ndjsonSkipsBlankLines() {
        PooledHttpClient client = clients.add(builder().build());
        StepVerifier.create(client.get("/ndjson")
                        .ndjson(PooledHttpClientTest.User.class)
                        .map(u -> u.name))
                .expectNext("a", "b")
                .verifyComplete();
    }

    @Test
    void chunksHaveTheRequestedSize() {
        PooledHttpClient client = clients.add(builder().build());
        StepVerifier.create(client.get("/chunks").chunks(4).map(PooledHttpClientTransportTest::string))
                .expectNext("abcd", "efgh", "ij")
                .verifyComplete();
    }

    @Test
    void maxResponseBytesIsEnforcedFromContentLengthAndWhileReading() {
        PooledHttpClient client = clients.add(builder().maxResponseBytes(1000).build());
        StepVerifier.create(client.get("/big").bytes())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(ResponseTooLargeException.class)
                        .hasMessage("response body exceeds the limit of 1000 bytes for GET " + server.url("/big")))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.get("/big-chunked").result())
                .expectError(ResponseTooLargeException.class)
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
        StepVerifier.create(client.get("/small").text()).expectNext("ok").verifyComplete();
    }

    @Test
    void fetchAllSettlesEveryUriInOrder() {
        PooledHttpClient client = clients.add(builder().build());
        List<String> uris = List.of("/slow?ms=30", "/small", "/missing-stream", "/slow?ms=1");
        StepVerifier.create(client.fetchAll(Flux.fromIterable(uris), 4).collectList())
                .assertNext(outcomes -> {
                    assertThat(outcomes).hasSize(4);
                    assertThat(outcomes.stream().map(o -> o.isSuccess()).collect(Collectors.toList()))
                            .containsExactly(true, true, false, true);
                    assertThat(outcomes.get(0).value())
                            .hasValueSatisfying(
                                    r -> assertThat(r.bodyAsString()).isEqualTo("slow"));
                    assertThat(outcomes.get(2).error())
                            .hasValueSatisfying(e -> assertThat(e).isInstanceOf(HttpStatusException.class));
                })
                .verifyComplete();
        StepVerifier.create(client.fetchAll(Flux.empty(), 3)).verifyComplete();
    }

    @Test
    void fetchAllHonoursDemand() {
        PooledHttpClient client = clients.add(builder().build());
        int before = server.requests.get();
        StepVerifier.create(client.fetchAll(Flux.range(0, 100).map(i -> "/small"), 4), 0)
                .expectSubscription()
                .thenRequest(2)
                .expectNextCount(2)
                .then(() ->
                        await().during(Duration.ofMillis(200)).until(() -> server.requests.get() - before <= 2 + 4 + 4))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
