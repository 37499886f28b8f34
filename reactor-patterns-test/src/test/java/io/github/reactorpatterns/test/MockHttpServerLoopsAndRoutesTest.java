package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.HttpResources;

/** The server's own event loops, per-path routes and {@link MockHttpServer#reset()}. */
class MockHttpServerLoopsAndRoutesTest {

    private MockHttpServer server;
    private java.net.http.HttpClient jdk;

    @BeforeEach
    void start() {
        server = MockHttpServer.start();
        jdk = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.url(path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return jdk.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
    }

    /**
     * Regression: the server ran on reactor-netty's global HttpResources, so anything that disposed them (a closing
     * Spring context calls HttpResources.disposeLoopsAndConnections()) killed every mock server in the JVM.
     */
    @Test
    void survivesDisposalOfReactorNettyGlobalResources() throws Exception {
        server.enqueue(MockResponse.of(200, "before"));
        server.enqueue(MockResponse.of(200, "after"));
        assertThat(send("GET", "/").body()).isEqualTo("before");

        HttpResources.disposeLoopsAndConnections();

        // A fresh client (the JDK's, so it does not depend on reactor-netty's globals either) on a new connection.
        jdk = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<String> after = send("GET", "/");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("after");
    }

    @Test
    void closeDisposesTheServersOwnLoops() {
        MockHttpServer other = MockHttpServer.start();
        other.close();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                        .noneMatch(t -> t.isAlive() && t.getName().startsWith(other.loopsPrefix() + "-")));
    }

    @Test
    void routesAnswerByMethodAndPathIgnoringTheQuery() throws Exception {
        server.route("GET", "/users/1", MockResponse.of(200, "one"));
        server.route("get", "/users/2", MockResponse.of(200, "two"));
        server.route("POST", "/users/1", MockResponse.of(201, "created"));
        server.dispatcher(request -> MockResponse.of(418, "dispatcher"));

        assertThat(send("GET", "/users/1?fields=name").body()).isEqualTo("one");
        assertThat(send("GET", "/users/1").body()).isEqualTo("one");
        assertThat(send("GET", "/users/2").body()).isEqualTo("two");
        HttpResponse<String> post = send("POST", "/users/1");
        assertThat(post.statusCode()).isEqualTo(201);
        assertThat(post.body()).isEqualTo("created");
        HttpResponse<String> unrouted = send("GET", "/users/10");
        assertThat(unrouted.statusCode()).isEqualTo(418);
        assertThat(send("DELETE", "/users/1").statusCode()).isEqualTo(418);
    }

    @Test
    void enqueuedResponsesComeBeforeRoutes() throws Exception {
        server.route("GET", "/a", MockResponse.of(200, "route"));
        server.enqueue(MockResponse.of(200, "queued"));
        assertThat(send("GET", "/a").body()).isEqualTo("queued");
        assertThat(send("GET", "/a").body()).isEqualTo("route");
    }

    @Test
    void aLaterRouteReplacesAnEarlierOne() throws Exception {
        server.route("GET", "/a", MockResponse.of(200, "first"));
        server.route("GET", "/a", MockResponse.of(200, "second"));
        assertThat(send("GET", "/a").body()).isEqualTo("second");
    }

    @Test
    void routeRejectsBadArguments() {
        MockResponse ok = MockResponse.of(200, "ok");
        assertThatNullPointerException()
                .isThrownBy(() -> server.route(null, "/a", ok))
                .withMessage("method");
        assertThatNullPointerException()
                .isThrownBy(() -> server.route("GET", null, ok))
                .withMessage("path");
        assertThatNullPointerException()
                .isThrownBy(() -> server.route("GET", "/a", null))
                .withMessage("response");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> server.route("GET", "a", ok))
                .withMessage("path must start with / and have no query but it was a");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> server.route("GET", "/a?b=1", ok))
                .withMessage("path must start with / and have no query but it was /a?b=1");
    }

    @Test
    void resetClearsQueueRoutesDispatcherRecordedRequestsAndCounters() throws Exception {
        server.enqueue(MockResponse.of(200, "queued"));
        server.route("GET", "/r", MockResponse.of(200, "route"));
        server.dispatcher(request -> MockResponse.of(418, "dispatcher"));
        server.defaultResponse(MockResponse.of(500, "default"));
        assertThat(send("GET", "/x").body()).isEqualTo("queued");
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.maxConcurrentRequests()).isEqualTo(1);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
        server.enqueue(MockResponse.of(200, "left over"));

        server.reset();

        assertThat(server.requestCount()).isZero();
        assertThat(server.maxConcurrentRequests()).isZero();
        assertThat(server.connectionsAccepted()).isZero();
        assertThat(server.takeRequest(Duration.ZERO)).isNull();
        HttpResponse<String> after = send("GET", "/r");
        assertThat(after.statusCode()).isEqualTo(MockHttpServer.DEFAULT_STATUS);
        assertThat(after.body()).isEmpty();
        assertThat(server.requestCount()).isEqualTo(1);
        RecordedRequest recorded = server.takeRequest(Duration.ofSeconds(5));
        assertThat(recorded).isNotNull();
        assertThat(recorded.path()).isEqualTo("/r");
        assertThat(recorded.sequenceNumber()).isZero();
    }
}
