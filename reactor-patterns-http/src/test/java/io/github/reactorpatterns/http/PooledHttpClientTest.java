package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.github.reactorpatterns.retry.RetryPolicy;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class PooledHttpClientTest {

    private final AtomicReference<String> lastUserAgent = new AtomicReference<>();
    private final AtomicReference<String> lastBody = new AtomicReference<>();
    private final AtomicReference<String> lastContentType = new AtomicReference<>();
    private final AtomicReference<String> lastUri = new AtomicReference<>();
    private final AtomicReference<String> lastHeader = new AtomicReference<>();
    private TestServer server;
    private PooledHttpClient client;

    @BeforeEach
    void start() {
        server = TestServer.start(r -> r.get("/hello", (req, res) -> {
                    lastUserAgent.set(req.requestHeaders().get("User-Agent"));
                    lastHeader.set(req.requestHeaders().get("X-Test"));
                    lastUri.set(req.uri());
                    return res.header("Content-Type", "text/plain; charset=utf-8")
                            .sendString(Mono.just("héllo"));
                })
                .get(
                        "/json",
                        (req, res) -> res.header("Content-Type", "application/json")
                                .sendString(Mono.just("{\"name\":\"ada\",\"id\":7}")))
                .get(
                        "/list",
                        (req, res) ->
                                res.sendString(Mono.just("[{\"name\":\"a\",\"id\":1},{\"name\":\"b\",\"id\":2}]")))
                .get("/empty", (req, res) -> res.status(204).send())
                .get(
                        "/missing",
                        (req, res) -> res.status(404).header("X-Reason", "gone").sendString(Mono.just("not here")))
                .get(
                        "/busy",
                        (req, res) -> res.status(503).header("Retry-After", "7").sendString(Mono.just("later")))
                .post("/echo", (req, res) -> {
                    lastContentType.set(req.requestHeaders().get("Content-Type"));
                    return res.sendString(req.receive()
                            .aggregate()
                            .asString(StandardCharsets.UTF_8)
                            .doOnNext(lastBody::set));
                }));
        client = PooledHttpClient.builder()
                .baseUrl(server.url(""))
                .retry(RetryPolicy.none())
                .build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.close();
    }

    /** The JSON shape the tests read. */
    public static final class User {
        public String name;
        public int id;
    }

    @Test
    void textDecodesBodyAndSendsDefaultUserAgent() {
        StepVerifier.create(client.get("/hello").text()).expectNext("héllo").verifyComplete();
        assertThat(lastUserAgent.get())
                .isEqualTo(PooledHttpClient.DEFAULT_USER_AGENT)
                .startsWith("reactor-patterns/");
        // the connection goes back to the pool on its event loop, just after the subscriber saw the signal
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void defaultAndRequestHeadersAreSent() {
        try (AutoCloseableClient c = closeable(PooledHttpClient.builder()
                .baseUrl(server.url(""))
                .defaultHeader("User-Agent", "my-app/1.0")
                .defaultHeader("X-Test", "default")
                .build())) {
            StepVerifier.create(c.get("/hello").text()).expectNext("héllo").verifyComplete();
            assertThat(lastUserAgent.get()).isEqualTo("my-app/1.0");
            assertThat(lastHeader.get()).isEqualTo("default");
            StepVerifier.create(c.get("/hello").header("X-Test", "request").text())
                    .expectNextCount(1)
                    .verifyComplete();
            assertThat(lastHeader.get()).isEqualTo("request");
        }
    }

    @Test
    void queryParametersArePercentEncoded() {
        HttpRequestSpec spec = client.get("/hello").query("q", "a b&c").query("limit", 100);
        assertThat(spec.uri()).isEqualTo(server.url("/hello?q=a%20b%26c&limit=100"));
        StepVerifier.create(spec.text()).expectNextCount(1).verifyComplete();
        assertThat(lastUri.get()).isEqualTo("/hello?q=a%20b%26c&limit=100");
    }

    @Test
    void jsonReadsClassAndGenericType() {
        StepVerifier.create(client.get("/json").json(User.class))
                .assertNext(u -> {
                    assertThat(u.name).isEqualTo("ada");
                    assertThat(u.id).isEqualTo(7);
                })
                .verifyComplete();
        StepVerifier.create(client.get("/list").json(new GenericType<List<Map<String, Object>>>() {}))
                .assertNext(
                        list -> assertThat(list).extracting(m -> m.get("name")).containsExactly("a", "b"))
                .verifyComplete();
    }

    @Test
    void emptyBodyCompletesJsonEmptyAndBytesWithEmptyArray() {
        StepVerifier.create(client.get("/empty").json(User.class)).verifyComplete();
        StepVerifier.create(client.get("/empty").bytes())
                .assertNext(b -> assertThat(b).isEmpty())
                .verifyComplete();
    }

    @Test
    void nonSuccessStatusRaisesWithDetails() {
        StepVerifier.create(client.get("/missing").text())
                .expectErrorSatisfies(e -> {
                    assertThat(e)
                            .isInstanceOf(HttpStatusException.class)
                            .hasMessage("HTTP 404 Not Found for GET " + server.url("/missing"));
                    HttpStatusException h = (HttpStatusException) e;
                    assertThat(h.status()).isEqualTo(404);
                    assertThat(h.method()).isEqualTo("GET");
                    assertThat(h.uri()).isEqualTo(server.url("/missing"));
                    assertThat(h.headers().get("X-Reason")).isEqualTo("gone");
                    assertThat(h.bodyAsString()).isEqualTo("not here");
                    assertThat(h.retryAfter()).isEmpty();
                })
                .verify(Duration.ofSeconds(10));
        // the connection goes back to the pool on its event loop, just after the subscriber saw the signal
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void statusExceptionCarriesRetryAfter() {
        StepVerifier.create(client.get("/busy").bytes())
                .expectErrorSatisfies(
                        e -> assertThat(((HttpStatusException) e).retryAfter()).contains(Duration.ofSeconds(7)))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void resultNeverRaisesForStatus() {
        StepVerifier.create(client.get("/missing").result())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(404);
                    assertThat(r.isSuccess()).isFalse();
                    assertThat(r.bodyAsString()).isEqualTo("not here");
                    assertThat(r.attempts()).isEqualTo(1);
                    assertThat(r.elapsed()).isPositive();
                    assertThat(r.method()).isEqualTo("GET");
                    assertThat(r.uri()).isEqualTo(server.url("/missing"));
                })
                .verifyComplete();
    }

    @Test
    void bodiesAreSentWithContentType() {
        StepVerifier.create(client.post("/echo").body("plain").text())
                .expectNext("plain")
                .verifyComplete();
        assertThat(lastContentType.get()).isEqualTo("text/plain; charset=utf-8");

        StepVerifier.create(client.post("/echo").body(new byte[] {65, 66}).text())
                .expectNext("AB")
                .verifyComplete();
        assertThat(lastContentType.get()).isEqualTo("application/octet-stream");

        StepVerifier.create(client.post("/echo").jsonBody(Map.of("a", 1)).text())
                .expectNext("{\"a\":1}")
                .verifyComplete();
        assertThat(lastContentType.get()).isEqualTo("application/json");

        StepVerifier.create(client.post("/echo")
                        .header("Content-Type", "application/x-custom")
                        .body("x")
                        .text())
                .expectNext("x")
                .verifyComplete();
        assertThat(lastContentType.get()).isEqualTo("application/x-custom");
    }

    @Test
    void jsonBodySerializationErrorFailsBeforeSending() {
        Object unserializable = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        StepVerifier.create(client.post("/echo").jsonBody(unserializable).text())
                .expectError(com.fasterxml.jackson.databind.JsonMappingException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(lastBody.get()).isNull();
    }

    @Test
    void nothingIsSentBeforeSubscriptionAndEachSubscriptionSendsAgain() {
        Mono<String> text = client.get("/hello").text();
        assertThat(server.accepted.get()).isZero();
        StepVerifier.create(text).expectNextCount(1).verifyComplete();
        StepVerifier.create(text).expectNextCount(1).verifyComplete();
        assertThat(lastUri.get()).isEqualTo("/hello");
    }

    @Test
    void relativeAndAbsoluteUrisResolve() {
        assertThat(client.get("hello").uri()).isEqualTo(server.url("/hello"));
        assertThat(client.get("/hello").uri()).isEqualTo(server.url("/hello"));
        assertThat(client.get("http://example.com/x").uri()).isEqualTo("http://example.com/x");
        assertThat(client.request("patch", "/x").method()).isEqualTo("PATCH");
        assertThat(client.put("/x").method()).isEqualTo("PUT");
        assertThat(client.delete("/x").method()).isEqualTo("DELETE");
    }

    @Test
    void statusNamesComeFromNetty() {
        assertThat(HttpResponseStatus.valueOf(503).toString()).isEqualTo("503 Service Unavailable");
    }

    @Test
    void closeDisposesThePool() {
        PooledHttpClient c = PooledHttpClient.builder().build();
        StepVerifier.create(c.close()).verifyComplete();
        assertThat(c.isDisposed()).isTrue();
        await().until(c::isDisposed);
    }

    static AutoCloseableClient closeable(PooledHttpClient c) {
        return new AutoCloseableClient(c);
    }

    /** Lets a test use try-with-resources on a client. */
    static final class AutoCloseableClient implements AutoCloseable {
        final PooledHttpClient client;

        AutoCloseableClient(PooledHttpClient client) {
            this.client = client;
        }

        HttpRequestSpec get(String uri) {
            return client.get(uri);
        }

        @Override
        public void close() {
            client.dispose();
        }
    }
}
