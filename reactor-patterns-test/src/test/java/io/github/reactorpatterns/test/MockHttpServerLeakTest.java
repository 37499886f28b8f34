package io.github.reactorpatterns.test;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

/** The server releases every buffer it touches: each exchange runs under PARANOID leak detection. */
@MockHttpServerTest
@ExtendWith(NettyLeakDetectionExtension.class)
class MockHttpServerLeakTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void bodiesStreamsAndRequestBodiesLeakNothing(MockHttpServer server) {
        server.enqueue(MockResponse.of(200, "x".repeat(10_000)));
        server.enqueue(MockResponse.builder()
                .body("y".repeat(1000))
                .throttle(100, Duration.ZERO)
                .build());
        server.enqueue(MockResponse.builder()
                .chunkedLines(List.of("a", "b", "c"), Duration.ZERO)
                .build());
        HttpClient client = HttpClient.create();

        StepVerifier.create(Flux.range(0, 3)
                        .concatMap(i -> client.post()
                                .uri(server.url("/p"))
                                .send((req, out) -> out.sendString(Flux.just("request body " + i)))
                                .responseSingle((res, body) -> body.asString())))
                .expectNextCount(3)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void faultsLeakNothing(MockHttpServer server) {
        server.enqueue(MockResponse.builder()
                .body("z".repeat(1000))
                .disconnectDuringBody(10)
                .build());
        server.enqueue(MockResponse.builder().resetConnection().build());
        server.enqueue(MockResponse.builder().malformed().build());
        HttpClient client = HttpClient.create().disableRetry(true);

        StepVerifier.create(Flux.range(0, 3)
                        .concatMap(i -> client.get()
                                .uri(server.url("/f"))
                                .responseSingle((res, body) -> body.asString())
                                .onErrorReturn("failed")))
                .expectNext("failed", "failed", "failed")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void h2cLeaksNothing(MockHttpServer server) {
        server.dispatcher(r -> MockResponse.of(200, r.bodyUtf8()));
        HttpClient h2c = HttpClient.create().protocol(HttpProtocol.H2C);

        StepVerifier.create(Flux.range(0, 5)
                        .flatMap(i -> h2c.post()
                                .uri(server.url("/h"))
                                .send((req, out) -> out.sendString(Flux.just("n" + i)))
                                .responseSingle((res, body) -> body.asString())))
                .expectNextCount(5)
                .expectComplete()
                .verify(TIMEOUT);
    }
}
