package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;

import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** The README's "Testing your code" example, kept compiling and passing. */
@MockHttpServerTest
class ReadmeExampleTest {

    // The code under test: GET /price/{sku}, retrying 503s twice.
    static Mono<String> price(HttpClient http, URI base, String sku) {
        return http.get()
                .uri(base.resolve("/price/" + sku))
                .responseSingle((res, body) ->
                        res.status().code() == 503 ? Mono.error(new IllegalStateException("503")) : body.asString())
                .retryWhen(Retry.max(2).filter(IllegalStateException.class::isInstance));
    }

    @Test
    void retriesA503ThenReadsThePrice(MockHttpServer server) {
        server.enqueue(
                MockResponse.builder().status(503).header("Retry-After", "0").build());
        server.enqueue(MockResponse.builder()
                .jsonBody("{\"sku\":\"a1\",\"cents\":250}")
                .build());

        StepVerifier.create(price(HttpClient.create(), server.url("/"), "a1"))
                .expectNext("{\"sku\":\"a1\",\"cents\":250}")
                .verifyComplete();

        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(server.takeRequest(Duration.ofSeconds(5)).path()).isEqualTo("/price/a1");
    }

    @Test
    void aServerThatHangsIsATimeout(MockHttpServer server) {
        server.enqueue(MockResponse.builder().noResponse().build());

        StepVerifier.create(price(HttpClient.create().responseTimeout(Duration.ofMillis(200)), server.url("/"), "a1")
                        .onErrorResume(ReadTimeoutException.class, e -> Mono.just("timed out")))
                .expectNext("timed out")
                .verifyComplete();
    }
}
