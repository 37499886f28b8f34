package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class MockHttpServerBehaviourTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private MockHttpServer server;
    private ConnectionProvider pool;
    private HttpClient client;
    private java.net.http.HttpClient jdk;

    @BeforeEach
    void start() {
        server = MockHttpServer.start();
        pool = ConnectionProvider.builder("mock-http-server-test")
                .maxConnections(500)
                .pendingAcquireMaxCount(-1)
                .build();
        // disableRetry: reactor-netty retries once when a connection closes before the response, which would hide
        // the faults under test.
        client = HttpClient.create(pool).disableRetry(true);
        jdk = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
    }

    @AfterEach
    void stop() {
        pool.disposeLater().block(TIMEOUT);
        server.close();
    }

    private Mono<String> get(String path) {
        return client.get()
                .uri(server.url(path))
                .responseSingle((res, body) ->
                        body.asString().defaultIfEmpty("").map(b -> res.status().code() + " " + b));
    }

    private HttpResponse<String> jdkSend(HttpRequest request) throws Exception {
        return jdk.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
    }

    private Throwable jdkFailure(HttpRequest request) {
        CompletableFuture<HttpResponse<String>> f = jdk.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected the request to fail, got " + e, e);
        }
        throw new AssertionError("expected the request to fail, it succeeded");
    }

    @Test
    void enqueuedResponsesAreServedInOrder() {
        server.enqueue(MockResponse.of(200, "first"));
        server.enqueue(MockResponse.builder().status(201).jsonBody("{\"n\":2}").build());

        StepVerifier.create(get("/a").concatWith(get("/b")))
                .expectNext("200 first", "201 {\"n\":2}")
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(server.takeRequest(TIMEOUT).path()).isEqualTo("/a");
        assertThat(server.takeRequest(TIMEOUT).path()).isEqualTo("/b");
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void emptyQueueWithoutDispatcherAnswersDefault404ThenConfiguredDefault() {
        StepVerifier.create(get("/missing")).expectNext("404 ").expectComplete().verify(TIMEOUT);

        server.defaultResponse(MockResponse.of(418, "teapot"));
        StepVerifier.create(get("/missing"))
                .expectNext("418 teapot")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void recordsMethodPathQueryHeadersAndBodyFromJdkClient() throws Exception {
        server.enqueue(MockResponse.builder()
                .status(202)
                .header("X-Reply", "yes")
                .body("accepted")
                .build());

        HttpResponse<String> response = jdkSend(HttpRequest.newBuilder(server.url("/orders?id=7&tag=a%20b"))
                .header("X-Trace", "abc")
                .POST(HttpRequest.BodyPublishers.ofString("{\"qty\":3}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("accepted");
        assertThat(response.headers().firstValue("x-reply")).hasValue("yes");
        RecordedRequest request = server.takeRequest(TIMEOUT);
        assertThat(request).isNotNull();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/orders");
        assertThat(request.query()).isEqualTo("id=7&tag=a%20b");
        assertThat(request.queryParameter("tag")).isEqualTo("a b");
        assertThat(request.queryParameter("absent")).isNull();
        assertThat(request.header("x-trace")).isEqualTo("abc");
        assertThat(request.header("X-TRACE")).isEqualTo("abc");
        assertThat(request.bodyUtf8()).isEqualTo("{\"qty\":3}");
        assertThat(request.protocol()).isEqualTo("HTTP/1.1");
        assertThat(request.sequenceNumber()).isZero();
    }

    @Test
    void takeRequestReturnsNullWhenNoneArrives() {
        assertThat(server.takeRequest(Duration.ofMillis(50))).isNull();
    }

    @Test
    void dispatcherRoutesWhenQueueIsEmpty() {
        server.dispatcher(r -> r.path().equals("/ping") ? MockResponse.of(200, "pong") : MockResponse.of(404, "no"));
        server.enqueue(MockResponse.of(200, "queued first"));

        StepVerifier.create(get("/ping").concatWith(get("/ping")).concatWith(get("/other")))
                .expectNext("200 queued first", "200 pong", "404 no")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void failingDispatcherAnswers500NamingTheException() {
        server.dispatcher(r -> {
            throw new IllegalStateException("boom");
        });

        StepVerifier.create(get("/x"))
                .assertNext(s -> assertThat(s).startsWith("500 ").contains("IllegalStateException: boom"))
                .expectComplete()
                .verify(TIMEOUT);

        server.dispatcher(r -> null);
        StepVerifier.create(get("/x"))
                .assertNext(s -> assertThat(s).startsWith("500 ").contains("dispatcher returned null"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void headersDelayHoldsTheWholeResponse() {
        server.enqueue(MockResponse.builder()
                .body("late")
                .headersDelay(Duration.ofMillis(300))
                .build());

        long start = System.nanoTime();
        StepVerifier.create(get("/slow"))
                .expectNext("200 late")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void delaysRunInRealTimeEvenWhenVirtualTimeIsInstalled() {
        server.enqueue(MockResponse.builder()
                .body("real")
                .headersDelay(Duration.ofMillis(100))
                .build());
        VirtualTimeScheduler.getOrSet();
        try {
            // If the server took its timer from Schedulers.parallel(), this would wait for virtual time forever.
            StepVerifier.create(get("/v"))
                    .expectNext("200 real")
                    .expectComplete()
                    .verify(TIMEOUT);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void headersDelayLongerThanResponseTimeoutTimesOut() {
        server.enqueue(MockResponse.builder()
                .body("late")
                .headersDelay(Duration.ofSeconds(5))
                .build());

        StepVerifier.create(client.responseTimeout(Duration.ofMillis(100))
                        .get()
                        .uri(server.url("/slow"))
                        .responseSingle((res, body) -> body.asString()))
                .expectError(ReadTimeoutException.class)
                .verify(TIMEOUT);
    }

    @Test
    void bodyDelaySendsHeadersFirst() {
        server.enqueue(MockResponse.builder()
                .status(200)
                .body("later")
                .bodyDelay(Duration.ofSeconds(30))
                .build());

        // The status arrives while the server still holds the body back; the body then stalls past the read
        // timeout. The timeout is generous so a loaded machine still gets the headers in time.
        AtomicInteger respondingWhenStatusArrived = new AtomicInteger(-1);
        Flux<Object> signals = client.responseTimeout(Duration.ofSeconds(2))
                .get()
                .uri(server.url("/b"))
                .response((res, body) -> Flux.concat(
                        Mono.fromCallable(() -> {
                            respondingWhenStatusArrived.set(server.concurrentRequests());
                            return res.status().code();
                        }),
                        body.asString()));
        StepVerifier.create(signals)
                .expectNext(200)
                .expectError(ReadTimeoutException.class)
                .verify(TIMEOUT);
        assertThat(respondingWhenStatusArrived).hasValue(1);
    }

    @Test
    void jdkClientSeesDefault404DelaysAndTimeouts() throws Exception {
        assertThat(jdkSend(HttpRequest.newBuilder(server.url("/none")).build()).statusCode())
                .isEqualTo(404);

        server.enqueue(MockResponse.builder()
                .body("slow headers")
                .headersDelay(Duration.ofMillis(200))
                .build());
        server.enqueue(MockResponse.builder()
                .body("slow body")
                .bodyDelay(Duration.ofMillis(200))
                .build());
        server.enqueue(MockResponse.builder()
                .body("too slow")
                .headersDelay(Duration.ofSeconds(5))
                .build());
        long start = System.nanoTime();
        assertThat(jdkSend(HttpRequest.newBuilder(server.url("/h")).build()).body())
                .isEqualTo("slow headers");
        assertThat(jdkSend(HttpRequest.newBuilder(server.url("/b")).build()).body())
                .isEqualTo("slow body");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(jdkFailure(HttpRequest.newBuilder(server.url("/t"))
                        .timeout(Duration.ofMillis(100))
                        .build()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
    }

    @Test
    void throttledBodyArrivesWholeAndNoFasterThanTheThrottle() throws Exception {
        String text = "0123456789".repeat(5);
        server.enqueue(MockResponse.builder()
                .body(text)
                .throttle(10, Duration.ofMillis(50))
                .build());
        server.enqueue(MockResponse.builder()
                .body(text)
                .throttle(10, Duration.ofMillis(50))
                .build());

        long start = System.nanoTime();
        StepVerifier.create(get("/t"))
                .expectNext("200 " + text)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));

        HttpResponse<String> response =
                jdkSend(HttpRequest.newBuilder(server.url("/t")).build());
        assertThat(response.body()).isEqualTo(text);
        assertThat(response.headers().firstValue("content-length")).hasValue("50");
    }

    @Test
    void chunkedLinesStreamOneLineAtATime() throws Exception {
        List<String> lines = List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        Duration between = Duration.ofMillis(500);
        server.enqueue(MockResponse.builder().chunkedLines(lines, between).build());
        server.enqueue(MockResponse.builder().chunkedLines(lines, Duration.ZERO).build());

        AtomicInteger streamingWhenFirstLineArrived = new AtomicInteger(-1);
        long start = System.nanoTime();
        Flux<String> streamed = client.get()
                .uri(server.url("/stream"))
                .response((res, body) -> {
                    assertThat(res.responseHeaders().get("transfer-encoding")).isEqualTo("chunked");
                    return body.asString();
                })
                .flatMapIterable(s -> List.of(s.split("\n")))
                .doOnNext(s -> streamingWhenFirstLineArrived.compareAndSet(-1, server.concurrentRequests()));
        StepVerifier.create(streamed).expectNextSequence(lines).expectComplete().verify(TIMEOUT);
        // Lower bound only: three lines 500 ms apart cannot all arrive sooner than 1 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(between.multipliedBy(2));
        // Ordering, not speed: the first line reached the client while the server was still streaming the rest
        // (a server that buffered the body would have finished its response first). The only real-time
        // assumption is that the client reads the first line within the 1 s the server still streams.
        assertThat(streamingWhenFirstLineArrived).hasValue(1);

        HttpResponse<java.util.stream.Stream<String>> jdkLines = jdk.sendAsync(
                        HttpRequest.newBuilder(server.url("/stream")).build(), HttpResponse.BodyHandlers.ofLines())
                .get(10, TimeUnit.SECONDS);
        assertThat(jdkLines.body().collect(Collectors.toList())).isEqualTo(lines);
    }

    @Test
    void disconnectBeforeResponseIsPrematureClose() {
        // A dispatcher, not the queue: the JDK client retries a GET once when the connection closes.
        server.dispatcher(r -> MockResponse.builder().disconnectBeforeResponse().build());

        StepVerifier.create(get("/x"))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(PrematureCloseException.class)
                        .hasMessageContaining("BEFORE response"))
                .verify(TIMEOUT);
        assertThat(jdkFailure(HttpRequest.newBuilder(server.url("/x")).build())).isInstanceOf(IOException.class);
        assertThat(server.requestCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void disconnectDuringBodyIsPrematureCloseDuringResponse() {
        server.dispatcher(r -> MockResponse.builder()
                .body("x".repeat(1000))
                .disconnectDuringBody(100)
                .build());

        StepVerifier.create(get("/x"))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(PrematureCloseException.class)
                        .hasMessageContaining("DURING response"))
                .verify(TIMEOUT);
        assertThat(jdkFailure(HttpRequest.newBuilder(server.url("/x")).build())).isInstanceOf(IOException.class);
    }

    @Test
    void partialBodyReachesTheClientBeforeTheDisconnect() {
        server.enqueue(MockResponse.builder()
                .body("x".repeat(1000))
                .disconnectDuringBody(100)
                .build());

        AtomicInteger received = new AtomicInteger();
        StepVerifier.create(client.get()
                        .uri(server.url("/x"))
                        .response((res, body) -> body.asByteArray())
                        .doOnNext(b -> received.addAndGet(b.length)))
                .thenConsumeWhile(b -> true)
                .expectError(PrematureCloseException.class)
                .verify(TIMEOUT);
        assertThat(received).hasValue(100);
    }

    @Test
    void resetConnectionIsConnectionReset() {
        server.dispatcher(r -> MockResponse.builder().resetConnection().build());

        StepVerifier.create(get("/x"))
                .expectErrorSatisfies(
                        e -> assertThat(e).isInstanceOf(IOException.class).hasMessageContaining("reset"))
                .verify(TIMEOUT);
        // The JDK client wraps it: IOException("HTTP/1.1 header parser received no bytes") caused by
        // SocketException("Connection reset").
        assertThat(jdkFailure(HttpRequest.newBuilder(server.url("/x")).build()))
                .isInstanceOf(IOException.class)
                .hasRootCauseMessage("Connection reset");
    }

    @Test
    void noResponseEndsInClientTimeout() {
        server.enqueue(MockResponse.builder().noResponse().build());
        server.enqueue(MockResponse.builder().noResponse().build());

        StepVerifier.create(client.responseTimeout(Duration.ofMillis(200))
                        .get()
                        .uri(server.url("/x"))
                        .responseSingle((res, body) -> body.asString()))
                .expectError(ReadTimeoutException.class)
                .verify(TIMEOUT);
        assertThat(jdkFailure(HttpRequest.newBuilder(server.url("/x"))
                        .timeout(Duration.ofMillis(200))
                        .build()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
        // Both requests end on the server once their clients give up.
        await().atMost(TIMEOUT).until(() -> server.concurrentRequests() == 0);
    }

    @Test
    void malformedResponseFailsTheClientDecoder() {
        server.dispatcher(r -> MockResponse.builder().malformed().build());

        StepVerifier.create(get("/x"))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("invalid version format"))
                .verify(TIMEOUT);
        assertThat(jdkFailure(HttpRequest.newBuilder(server.url("/x")).build())).isInstanceOf(IOException.class);
    }

    @Test
    void maxConcurrentRequestsCountsTwoHundredAtOnce() {
        for (int i = 0; i < 200; i++) {
            server.enqueue(MockResponse.builder().noResponse().build());
        }
        Disposable requests =
                Flux.range(0, 200).flatMap(i -> get("/c/" + i), 200).subscribe();
        try {
            await().atMost(TIMEOUT).until(() -> server.concurrentRequests() == 200);
            assertThat(server.maxConcurrentRequests()).isEqualTo(200);
            assertThat(server.requestCount()).isEqualTo(200);
            Set<String> paths = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                paths.add(server.takeRequest(TIMEOUT).path());
            }
            assertThat(paths).hasSize(200).contains("/c/0", "/c/199");
            assertThat(server.takeRequest(Duration.ZERO)).isNull();
        } finally {
            requests.dispose();
        }
        await().atMost(TIMEOUT).until(() -> server.concurrentRequests() == 0);
        assertThat(server.maxConcurrentRequests()).isEqualTo(200);
    }

    @Test
    void maxConcurrentRequestsSeesAClientSideLimit() {
        // The first eight requests are held long enough for all eight pooled connections to be busy at once.
        server.dispatcher(r -> MockResponse.builder()
                .body("ok")
                .headersDelay(r.sequenceNumber() < 8 ? Duration.ofSeconds(2) : Duration.ZERO)
                .build());
        ConnectionProvider eight = ConnectionProvider.builder("eight")
                .maxConnections(8)
                .pendingAcquireMaxCount(-1)
                .build();
        try {
            HttpClient limited = HttpClient.create(eight);
            StepVerifier.create(Flux.range(0, 100)
                            .flatMap(
                                    i -> limited.get()
                                            .uri(server.url("/l/" + i))
                                            .responseSingle((r, b) -> b.asString()),
                                    200)
                            .count())
                    .expectNext(100L)
                    .expectComplete()
                    .verify(TIMEOUT);
        } finally {
            eight.disposeLater().block(TIMEOUT);
        }
        assertThat(server.maxConcurrentRequests()).isEqualTo(8);
        assertThat(server.connectionsAccepted()).isEqualTo(8);
    }

    @Test
    void pooledClientReusesOneConnection() {
        server.dispatcher(r -> MockResponse.of(200, "ok"));

        StepVerifier.create(Flux.range(0, 10).concatMap(i -> get("/p")).count())
                .expectNext(10L)
                .expectComplete()
                .verify(TIMEOUT);

        // reactor-netty may open a second connection when the next acquire races the first release; never more.
        assertThat(server.connectionsAccepted()).isBetween(1, 2);
        assertThat(server.openConnections()).isEqualTo(server.connectionsAccepted());
        pool.disposeLater().block(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> server.openConnections() == 0);
    }

    @Test
    void connectionCloseHeaderEndsTheConnection() {
        server.dispatcher(r ->
                MockResponse.builder().header("Connection", "close").body("bye").build());

        StepVerifier.create(Flux.range(0, 3).concatMap(i -> get("/bye")))
                .expectNext("200 bye", "200 bye", "200 bye")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(server.connectionsAccepted()).isEqualTo(3);
        await().atMost(TIMEOUT).until(() -> server.openConnections() == 0);
    }

    @Test
    void h2cByPriorKnowledge() {
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));
        HttpClient h2c = HttpClient.create(pool).protocol(HttpProtocol.H2C);

        StepVerifier.create(Flux.range(0, 5)
                        .concatMap(
                                i -> h2c.get().uri(server.url("/h2")).responseSingle((res, body) -> body.asString())))
                .expectNext("HTTP/2.0", "HTTP/2.0", "HTTP/2.0", "HTTP/2.0", "HTTP/2.0")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void h2cByUpgradeFromJdkClient() throws Exception {
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));
        java.net.http.HttpClient http2 = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();

        // The upgrade request carries a body: the first POST of a JDK client does.
        HttpResponse<String> first = http2.sendAsync(
                        HttpRequest.newBuilder(server.url("/up"))
                                .POST(HttpRequest.BodyPublishers.ofString("payload"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS);
        HttpResponse<String> second = http2.sendAsync(
                        HttpRequest.newBuilder(server.url("/up")).build(), HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(server.takeRequest(TIMEOUT).bodyUtf8()).isEqualTo("payload");
        assertThat(second.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(second.body()).isEqualTo("HTTP/2.0");
    }

    @Test
    void closeClosesConnectionsAndStopsListening() {
        server.enqueue(MockResponse.builder().noResponse().build());
        Disposable hanging = get("/x").subscribe();
        await().atMost(TIMEOUT).until(() -> server.concurrentRequests() == 1);

        server.close();
        server.close();

        assertThat(server.openConnections()).isZero();
        await().atMost(TIMEOUT).until(() -> server.concurrentRequests() == 0);
        StepVerifier.create(get("/x")).expectError().verify(TIMEOUT);
        hanging.dispose();
    }

    @Test
    void certificateOfPlainServerIsRefused() {
        assertThatIllegalStateException()
                .isThrownBy(server::certificate)
                .withMessage("not a TLS server: start it with MockHttpServer.startTls()");
        assertThat(server.isTls()).isFalse();
    }

    @Test
    void urlAddsLeadingSlash() {
        assertThat(server.url("a?b=1").toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/a?b=1");
        assertThatNullPointerException().isThrownBy(() -> server.url(null)).withMessage("path");
        assertThatNullPointerException().isThrownBy(() -> server.enqueue(null)).withMessage("response");
        assertThatNullPointerException()
                .isThrownBy(() -> server.dispatcher(null))
                .withMessage("dispatcher");
        assertThatNullPointerException()
                .isThrownBy(() -> server.takeRequest(null))
                .withMessage("timeout");
        assertThatNullPointerException()
                .isThrownBy(() -> server.defaultResponse(null))
                .withMessage("response");
    }
}
