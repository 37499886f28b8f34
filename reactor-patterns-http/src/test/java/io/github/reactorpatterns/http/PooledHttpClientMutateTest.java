package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.github.reactorpatterns.retry.RetryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/** {@link PooledHttpClient#mutate()} and {@link PooledHttpClient#disposeLater()}. */
class PooledHttpClientMutateTest {

    private DisposableServer server;

    @BeforeEach
    void start() {
        // Echoes the headers the tests look at: X-A, X-B and every User-Agent.
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(r -> r.get(
                        "/echo",
                        (req, res) -> res.sendString(Mono.just(req.requestHeaders()
                                        .get("X-A") + "|" + req.requestHeaders().get("X-B") + "|"
                                + String.join(",", req.requestHeaders().getAll("User-Agent"))))))
                .bindNow();
    }

    @AfterEach
    void stop() {
        server.disposeNow();
    }

    private String base() {
        return "http://127.0.0.1:" + server.port();
    }

    @Test
    void mutateStartsFromTheClientsSettingsAndLeavesTheClientAlone() {
        PooledHttpClient client = PooledHttpClient.builder()
                .baseUrl(base())
                .defaultHeader("X-A", "1")
                .retry(RetryPolicy.none())
                .maxResponseBytes(1234)
                .readTimeout(Duration.ofSeconds(7))
                .build();
        PooledHttpClient mutated = client.mutate().defaultHeader("X-B", "2").build();
        try {
            assertThat(mutated).isNotSameAs(client);
            assertThat(mutated.baseUrl()).isEqualTo(base());
            assertThat(mutated.settings.maxResponseBytes()).isEqualTo(1234);
            assertThat(mutated.settings.readTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(mutated.retryPolicy).isSameAs(RetryPolicy.none());
            // the default User-Agent is sent once, not once per mutation
            assertThat(mutated.get("/echo").text().block(Duration.ofSeconds(10)))
                    .isEqualTo("1|2|" + PooledHttpClient.DEFAULT_USER_AGENT);
            assertThat(client.get("/echo").text().block(Duration.ofSeconds(10)))
                    .isEqualTo("1|null|" + PooledHttpClient.DEFAULT_USER_AGENT);
        } finally {
            client.dispose();
            mutated.dispose();
        }
    }

    @Test
    void mutateKeepsAConfiguredUserAgent() {
        PooledHttpClient client = PooledHttpClient.builder()
                .baseUrl(base())
                .defaultHeader("User-Agent", "mine")
                .build();
        PooledHttpClient mutated = client.mutate().build();
        try {
            assertThat(mutated.get("/echo").text().block(Duration.ofSeconds(10)))
                    .isEqualTo("null|null|mine");
        } finally {
            client.dispose();
            mutated.dispose();
        }
    }

    @Test
    void mutatedClientHasAPoolOfItsOwn() {
        PooledHttpClient client = PooledHttpClient.builder().baseUrl(base()).build();
        PooledHttpClient mutated = client.mutate().build();
        client.dispose();
        try {
            assertThat(mutated.isDisposed()).isFalse();
            assertThat(mutated.get("/echo").text().block(Duration.ofSeconds(10)))
                    .isEqualTo("null|null|" + PooledHttpClient.DEFAULT_USER_AGENT);
        } finally {
            mutated.dispose();
        }
    }

    @Test
    void disposeLaterClosesThePoolOnSubscription() {
        PooledHttpClient client = PooledHttpClient.builder().baseUrl(base()).build();
        Mono<Void> later = client.disposeLater();
        assertThat(client.isDisposed()).isFalse();
        StepVerifier.create(later).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(client.isDisposed()).isTrue();
    }
}
