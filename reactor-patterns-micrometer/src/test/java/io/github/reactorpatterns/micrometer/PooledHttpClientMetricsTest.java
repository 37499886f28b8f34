package io.github.reactorpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.github.reactorpatterns.http.HttpStatusException;
import io.github.reactorpatterns.http.PoolMetrics;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class PooledHttpClientMetricsTest {

    private static final String POOL = "PooledHttpClientMetricsTest";
    private static final String NETTY_POOL = "reactor.netty.connection.provider";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Stands for the application's registry: reactor-netty writes to Micrometer's global registry. */
    private final SimpleMeterRegistry global = new SimpleMeterRegistry();

    private MockHttpServer server;

    @BeforeEach
    void start() {
        server = MockHttpServer.start();
        Metrics.addRegistry(global);
    }

    @AfterEach
    void stop() {
        Metrics.removeRegistry(global);
        server.close();
    }

    private double ours(String name) {
        return registry.get(name).tag("name", "inventory").gauge().value();
    }

    /** What the pool and the server looked like, for a failure message. */
    private String state(PooledHttpClient client) {
        return "pool " + client.poolMetrics() + "; server: " + server.connectionsAccepted() + " connections accepted, "
                + server.openConnections() + " open, " + server.requestCount() + " requests";
    }

    /** Waits until the pool holds exactly {@code idle} idle connections, saying what it held if it never does. */
    private void awaitIdle(PooledHttpClient client, int idle) {
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(client.poolMetrics().idle())
                        .as(() -> state(client))
                        .isEqualTo(idle));
    }

    private PooledHttpClient.Builder client(String pool) {
        return PooledHttpClient.builder()
                .name(pool)
                .baseUrl(server.url("/").toString())
                .retry(RetryPolicy.none());
    }

    @Test
    void poolGaugesFollowARequestAndTheConnectionComingBack() {
        PooledHttpClient client = client(POOL + "-ours").build();
        try {
            PooledHttpClientMetrics.of("inventory", client).bindTo(registry);
            assertThat(ours(PooledHttpClientMetrics.ALLOCATED)).isZero();

            server.enqueue(MockResponse.builder()
                    .body("slow")
                    .headersDelay(Duration.ofMillis(300))
                    .build());
            Disposable inFlight = client.get("/slow").text().subscribe();
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(ours(PooledHttpClientMetrics.ACQUIRED))
                            .as(() -> state(client))
                            .isEqualTo(1));
            assertThat(ours(PooledHttpClientMetrics.ALLOCATED))
                    .as(() -> state(client))
                    .isEqualTo(1);
            // reactor-pool counts the connection out of "acquired" before it counts it "idle"
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(ours(PooledHttpClientMetrics.IDLE))
                            .as(() -> state(client))
                            .isEqualTo(1));
            assertThat(ours(PooledHttpClientMetrics.ACQUIRED))
                    .as(() -> state(client))
                    .isZero();
            assertThat(ours(PooledHttpClientMetrics.PENDING))
                    .as(() -> state(client))
                    .isZero();
            inFlight.dispose();
            // without nettyMetrics, reactor-netty registers nothing
            assertThat(global.find(NETTY_POOL + ".total.connections")
                            .tag("name", POOL + "-ours")
                            .gauges())
                    .isEmpty();
        } finally {
            client.dispose();
        }
    }

    @Test
    void nettyMetricsKeepReactorNettysOwnMetersAndOurPoolMetrics() {
        String pool = POOL + "-netty";
        // No idle eviction while the test looks at the idle connection, however slow the machine.
        PooledHttpClient client = client(pool)
                .maxConnections(7)
                .maxIdleTime(Duration.ofMinutes(1))
                .nettyMetrics(true)
                .build();
        try {
            PooledHttpClientMetrics.of("inventory", client).bindTo(registry);
            server.enqueue(MockResponse.of(200, "one"));
            server.enqueue(MockResponse.of(503, "busy"));
            StepVerifier.create(client.get("/one").text()).expectNext("one").verifyComplete();
            // reactor-netty signals the end of the response to the subscriber first and hands the connection back
            // to the pool just after, on its event loop: a request sent at once may find no idle connection and
            // open a second one. Wait for it, so that the 503 is answered on the same connection.
            awaitIdle(client, 1);
            StepVerifier.create(client.get("/two").text())
                    .expectError(HttpStatusException.class)
                    .verify(Duration.ofSeconds(5));
            // The 503 left the connection open and pooled, not closed.
            awaitIdle(client, 1);
            assertThat(server.connectionsAccepted()).as(() -> state(client)).isEqualTo(1);
            assertThat(server.openConnections()).as(() -> state(client)).isEqualTo(1);

            // reactor-netty's pool gauges, with its names and tags
            Gauge total = global.get(NETTY_POOL + ".total.connections")
                    .tag("name", pool)
                    .gauge();
            String remote = total.getId().getTag("remote.address");
            assertThat(remote).isNotNull();
            assertThat(total.value()).isEqualTo(1);
            assertThat(global.get(NETTY_POOL + ".idle.connections")
                            .tag("name", pool)
                            .gauge()
                            .value())
                    .isEqualTo(1);
            assertThat(global.get(NETTY_POOL + ".active.connections")
                            .tag("name", pool)
                            .gauge()
                            .value())
                    .isZero();
            assertThat(global.get(NETTY_POOL + ".max.connections")
                            .tag("name", pool)
                            .gauge()
                            .value())
                    .isEqualTo(7);
            // reactor-netty's HTTP client meters, by status, with the uri tag bounded (reactor-netty keeps them
            // once registered: the remote address picks this test's)
            Timer ok = global.get("reactor.netty.http.client.response.time")
                    .tags("remote.address", remote, "status", "200", "uri", "none")
                    .timer();
            Timer busy = global.get("reactor.netty.http.client.response.time")
                    .tags("remote.address", remote, "status", "503")
                    .timer();
            assertThat(ok.count()).isEqualTo(1);
            assertThat(busy.count()).isEqualTo(1);
            assertThat(global.get("reactor.netty.http.client.data.received")
                            .tag("remote.address", remote)
                            .summaries())
                    .isNotEmpty();
            // and ours
            assertThat(client.poolMetrics()).isEqualTo(new PoolMetrics(0, 1, 0, 1));
            assertThat(ours(PooledHttpClientMetrics.IDLE)).isEqualTo(1);

            client.close().block(Duration.ofSeconds(5));
            assertThat(global.find(NETTY_POOL + ".total.connections")
                            .tag("name", pool)
                            .gauges())
                    .isEmpty();
            assertThat(ours(PooledHttpClientMetrics.ALLOCATED)).isZero();
        } finally {
            client.dispose();
        }
    }

    @Test
    void theUriTagCanBeMapped() {
        String pool = POOL + "-uri";
        PooledHttpClient client = client(pool)
                .nettyMetrics(true, uri -> uri.startsWith("/users/") ? "/users/{id}" : "other")
                .build();
        try {
            server.enqueue(MockResponse.of(200, "ada"));
            server.enqueue(MockResponse.of(200, "bob"));
            StepVerifier.create(client.get("/users/1")
                            .text()
                            .then(client.get("/users/2").text()))
                    .expectNext("bob")
                    .verifyComplete();
            assertThat(global.get("reactor.netty.http.client.response.time")
                            .tag("uri", "/users/{id}")
                            .timer()
                            .count())
                    .isEqualTo(2);
        } finally {
            client.dispose();
        }
    }

    @Test
    void theDefaultRetryPolicyReportsToRetryPolicyMetrics() {
        RetryPolicyMetrics retries = RetryPolicyMetrics.of("inventory");
        retries.bindTo(registry);
        PooledHttpClient client = PooledHttpClient.builder()
                .name(POOL + "-retry")
                .baseUrl(server.url("/").toString())
                .onRetry(retries)
                .build();
        try {
            for (int i = 0; i < 3; i++) {
                server.enqueue(MockResponse.of(503, "busy"));
            }
            StepVerifier.create(client.get("/busy").text())
                    .expectError(RetryExhaustedException.class)
                    .verify(Duration.ofSeconds(30));
            assertThat(server.requestCount()).isEqualTo(3);
            assertThat(registry.get(RetryPolicyMetrics.ATTEMPTS)
                            .tags("name", "inventory", "reason", "backoff")
                            .functionCounter()
                            .count())
                    .isEqualTo(2);
            assertThat(registry.get(RetryPolicyMetrics.ATTEMPTS)
                            .tags("name", "inventory", "reason", "retries_exhausted")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
        } finally {
            client.dispose();
        }
        assertThatIllegalStateException()
                .isThrownBy(() -> PooledHttpClient.builder()
                        .retry(RetryPolicy.none())
                        .onRetry(retries)
                        .build())
                .withMessage("onRetry applies to the default retry policy; "
                        + "set onRetry on the RetryPolicy given to retry(...) instead");
        assertThatNullPointerException()
                .isThrownBy(() -> PooledHttpClient.builder().onRetry(null))
                .withMessage("onRetry");
    }

    @Test
    void blockHoundIsOn() {
        StepVerifier.create(Mono.fromCallable(() -> {
                            Thread.sleep(1);
                            return 1;
                        })
                        .subscribeOn(Schedulers.parallel()))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("Blocking call"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> PooledHttpClientMetrics.of("inventory", null))
                .withMessage("client");
        assertThatNullPointerException()
                .isThrownBy(() -> PooledHttpClient.builder().nettyMetrics(true, null))
                .withMessage("uriTagValue");
    }
}
