package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import javax.net.ssl.SSLException;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** TLS verification, HTTP/2 and redirects. */
@MockHttpServerTest
class PooledHttpClientProtocolTest {

    @AutoClose
    private final Clients clients = new Clients();

    @Test
    @MockHttpServerTest(tls = true)
    void tlsVerificationRejectsASelfSignedServer(MockHttpServer server) {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        server.enqueue(MockResponse.of(200, "secret"));
        StepVerifier.create(client.get(server.url("/").toString()).text())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(HttpTransportException.class)
                        .cause()
                        .isInstanceOf(SSLException.class))
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isZero();
    }

    @Test
    @MockHttpServerTest(tls = true)
    void trustedCertificateIsAccepted(MockHttpServer server) {
        PooledHttpClient client = clients.add(PooledHttpClient.builder()
                .trustedCertificates(server.certificate())
                .build());
        server.enqueue(MockResponse.of(200, "secret"));
        StepVerifier.create(client.get(server.url("/").toString()).text())
                .expectNext("secret")
                .verifyComplete();
    }

    @Test
    @MockHttpServerTest(tls = true)
    void insecureTrustAllAcceptsAnyCertificate(MockHttpServer server) {
        PooledHttpClient client = clients.add(
                PooledHttpClient.builder().insecureTrustAllForTesting().build());
        server.enqueue(MockResponse.of(200, "anything"));
        StepVerifier.create(client.get(server.url("/").toString()).text())
                .expectNext("anything")
                .verifyComplete();
    }

    @Test
    @MockHttpServerTest(tls = true)
    void h2OverTlsNegotiatesHttp2(MockHttpServer server) throws Exception {
        PooledHttpClient client = clients.add(PooledHttpClient.builder()
                .protocol(PooledHttpClient.Protocol.H2)
                .trustedCertificates(server.certificate())
                .build());
        server.enqueue(MockResponse.of(200, "h2"));
        StepVerifier.create(client.get(server.url("/").toString()).text())
                .expectNext("h2")
                .verifyComplete();
        RecordedRequest request = server.takeRequest(Duration.ofSeconds(5));
        assertThat(request).isNotNull();
        assertThat(request.protocol()).containsIgnoringCase("2");
    }

    @Test
    void h2cSpeaksHttp2InCleartext(MockHttpServer server) {
        PooledHttpClient client = clients.add(PooledHttpClient.builder()
                .protocol(PooledHttpClient.Protocol.H2C)
                .build());
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));
        StepVerifier.create(client.get(server.url("/").toString()).text())
                .assertNext(p -> assertThat(p).containsIgnoringCase("2"))
                .verifyComplete();
        StepVerifier.create(client.fetchAll(
                                reactor.core.publisher.Flux.range(0, 50)
                                        .map(i -> server.url("/" + i).toString()),
                                16)
                        .filter(o -> o.isSuccess())
                        .count())
                .expectNext(50L)
                .verifyComplete();
    }

    @Test
    void redirectsAreNotFollowedByDefault(MockHttpServer server) {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        server.enqueue(
                MockResponse.builder().status(302).header("Location", "/target").build());
        StepVerifier.create(client.get(server.url("/start").toString()).result())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(302);
                    assertThat(r.headers().get("Location")).isEqualTo("/target");
                })
                .verifyComplete();
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void redirectOnTheSameHostKeepsCredentials(MockHttpServer server) throws Exception {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().followRedirects(true).build());
        server.enqueue(
                MockResponse.builder().status(302).header("Location", "/target").build());
        server.enqueue(MockResponse.of(200, "landed"));
        StepVerifier.create(client.get(server.url("/start").toString())
                        .header("Authorization", "Bearer s3cret")
                        .text())
                .expectNext("landed")
                .verifyComplete();
        server.takeRequest(Duration.ofSeconds(5));
        RecordedRequest second = server.takeRequest(Duration.ofSeconds(5));
        assertThat(second.path()).isEqualTo("/target");
        assertThat(second.header("Authorization")).isEqualTo("Bearer s3cret");
    }

    @Test
    void redirectToAnotherHostDropsCredentials() throws Exception {
        try (MockHttpServer origin = MockHttpServer.start();
                MockHttpServer other = MockHttpServer.start()) {
            PooledHttpClient client = clients.add(PooledHttpClient.builder()
                    .followRedirects(true)
                    .defaultHeader("Cookie", "session=1")
                    .build());
            // Same address, different host name: "localhost" is another host than "127.0.0.1".
            origin.enqueue(MockResponse.builder()
                    .status(307)
                    .header("Location", "http://localhost:" + other.port() + "/elsewhere")
                    .build());
            other.enqueue(MockResponse.of(200, "moved"));
            StepVerifier.create(client.get(origin.url("/start").toString())
                            .header("Authorization", "Bearer s3cret")
                            .header("Proxy-Authorization", "Basic eA==")
                            .header("X-Kept", "yes")
                            .text())
                    .expectNext("moved")
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            RecordedRequest first = origin.takeRequest(Duration.ofSeconds(5));
            assertThat(first.header("Authorization")).isEqualTo("Bearer s3cret");
            RecordedRequest redirected = other.takeRequest(Duration.ofSeconds(5));
            assertThat(redirected.path()).isEqualTo("/elsewhere");
            assertThat(redirected.header("Authorization")).isNull();
            assertThat(redirected.header("Cookie")).isNull();
            assertThat(redirected.header("Proxy-Authorization")).isNull();
            assertThat(redirected.header("X-Kept")).isEqualTo("yes");
        }
    }
}
