package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.NettyLeakDetectionExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/** Every fault of the mock server ends in a clear error within the configured time, with nothing leaked. */
@ExtendWith(NettyLeakDetectionExtension.class)
@MockHttpServerTest
class PooledHttpClientFaultTest {

    @AutoClose
    private final Clients clients = new Clients();

    private MockHttpServer server;
    private PooledHttpClient client;

    @BeforeEach
    void start(MockHttpServer server) {
        this.server = server;
        client = clients.add(PooledHttpClient.builder()
                .baseUrl(server.url("/").toString())
                .responseTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(1))
                .retry(RetryPolicy.none())
                .build());
    }

    /** Before the leak check: what disposing the clients and the server releases is checked in this test too. */
    @AfterEach
    void stop() {
        clients.close();
        server.close();
    }

    private void expectFailure(MockResponse response, Consumer<Throwable> check) {
        server.enqueue(response);
        StepVerifier.create(client.get("/fault").text())
                .expectErrorSatisfies(check)
                .verify(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(client.poolMetrics().acquired()).isZero();
            assertThat(client.poolMetrics().pending()).isZero();
        });
        // The client still works afterwards.
        server.enqueue(MockResponse.of(200, "fine"));
        StepVerifier.create(client.get("/after").text())
                .expectNext("fine")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void disconnectBeforeResponseIsAnIoError() {
        expectFailure(
                MockResponse.builder().disconnectBeforeResponse().build(),
                e -> assertThat(e).isInstanceOf(IOException.class).hasMessageContaining("BEFORE response"));
    }

    @Test
    void disconnectDuringBodyIsAnIoError() {
        expectFailure(
                MockResponse.builder()
                        .body("0123456789".repeat(100))
                        .disconnectDuringBody(10)
                        .build(),
                e -> assertThat(e).isInstanceOf(IOException.class).hasMessageContaining("DURING response"));
    }

    @Test
    void resetIsAnIoError() {
        expectFailure(
                MockResponse.builder().resetConnection().build(),
                e -> assertThat(e).isInstanceOf(IOException.class));
    }

    @Test
    void noResponseTimesOutWaitingForHeaders() {
        expectFailure(MockResponse.builder().noResponse().build(), e -> {
            assertThat(e).isInstanceOf(HttpTimeoutException.class);
            // Waiting for the headers is the response timeout's job, not the (shorter) read timeout's.
            assertThat(((HttpTimeoutException) e).phase()).isEqualTo(HttpTimeoutException.Phase.RESPONSE);
            assertThat(((HttpTimeoutException) e).timeout()).isEqualTo(Duration.ofSeconds(5));
        });
    }

    @Test
    void slowHeadersHitTheResponseTimeout() {
        PooledHttpClient patient = clients.add(PooledHttpClient.builder()
                .retry(RetryPolicy.none())
                .responseTimeout(Duration.ofMillis(300))
                .readTimeout(Duration.ofSeconds(10))
                .build());
        server.enqueue(MockResponse.builder()
                .headersDelay(Duration.ofSeconds(20))
                .body("late")
                .build());
        StepVerifier.create(patient.get(server.url("/late").toString()).text())
                .expectErrorSatisfies(e ->
                        assertThat(((HttpTimeoutException) e).phase()).isEqualTo(HttpTimeoutException.Phase.RESPONSE))
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(patient.poolMetrics().acquired()).isZero());
    }

    @Test
    void malformedResponseFailsTheRequest() {
        expectFailure(
                MockResponse.builder().malformed().build(), e -> assertThat(e).isNotNull());
    }

    @Test
    void stalledBodyHitsTheReadTimeout() {
        expectFailure(
                MockResponse.builder()
                        .body("abcdef")
                        .bodyDelay(Duration.ofSeconds(20))
                        .build(),
                e -> {
                    assertThat(e).isInstanceOf(HttpTimeoutException.class);
                    assertThat(((HttpTimeoutException) e).phase()).isEqualTo(HttpTimeoutException.Phase.READ);
                });
    }

    @Test
    void slowTrickleWithinTheReadTimeoutSucceeds() {
        server.enqueue(MockResponse.builder()
                .body("abcdef")
                .throttle(2, Duration.ofMillis(50))
                .build());
        StepVerifier.create(client.get("/trickle").text())
                .expectNext("abcdef")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void faultsOnStreamingTerminalsReleaseTheConnection() {
        server.enqueue(MockResponse.builder()
                .body("a\nb\nc\n".repeat(100))
                .disconnectDuringBody(7)
                .build());
        StepVerifier.create(client.get("/lines").lines())
                .expectNext("a", "b", "c")
                .expectError(IOException.class)
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
        server.enqueue(MockResponse.builder().noResponse().build());
        StepVerifier.create(client.get("/chunks").chunks(8))
                .expectError(HttpTimeoutException.class)
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    @Test
    void connectionRefusedIsAnIoError() {
        int port = server.port();
        server.close();
        StepVerifier.create(client.get("http://127.0.0.1:" + port + "/x").text())
                .expectError(IOException.class)
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }
}
