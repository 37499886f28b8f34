package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.tcp.SslProvider;
import reactor.test.StepVerifier;

@MockHttpServerTest(tls = true)
class MockHttpServerTlsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static HttpClient trusting(MockHttpServer server, HttpProtocol protocol) {
        X509Certificate cert = server.certificate();
        if (protocol == HttpProtocol.H2) {
            SslProvider.GenericSslContextSpec<?> spec =
                    Http2SslContextSpec.forClient().configure(b -> b.trustManager(cert));
            return HttpClient.create().protocol(HttpProtocol.H2).secure(s -> s.sslContext(spec));
        }
        SslProvider.GenericSslContextSpec<?> spec =
                Http11SslContextSpec.forClient().configure(b -> b.trustManager(cert));
        return HttpClient.create().secure(s -> s.sslContext(spec));
    }

    private static Mono<String> get(HttpClient client, MockHttpServer server) {
        return client.get().uri(server.url("/secure")).responseSingle((res, body) -> body.asString());
    }

    @Test
    void http11OverTlsWithTrustedCertificate(MockHttpServer server) {
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));

        StepVerifier.create(get(trusting(server, HttpProtocol.HTTP11), server))
                .expectNext("HTTP/1.1")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(server.url("/").toString()).startsWith("https://127.0.0.1:");
    }

    @Test
    void h2OverTlsSharesOneConnection(MockHttpServer server) {
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));
        HttpClient h2 = trusting(server, HttpProtocol.H2);

        StepVerifier.create(Flux.range(0, 3).concatMap(i -> get(h2, server)))
                .expectNext("HTTP/2.0", "HTTP/2.0", "HTTP/2.0")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void jdkClientNegotiatesHttp2WithClientSslContext(MockHttpServer server) throws Exception {
        server.dispatcher(r -> MockResponse.of(200, r.protocol()));
        java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder()
                .sslContext(server.clientSslContext())
                .build();

        HttpResponse<String> response = jdk.sendAsync(
                        HttpRequest.newBuilder(server.url("/j")).build(), HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS);

        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(response.body()).isEqualTo("HTTP/2.0");
    }

    @Test
    void clientThatDoesNotTrustTheCertificateRefusesIt(MockHttpServer server) throws Exception {
        StepVerifier.create(get(HttpClient.create().secure(), server))
                .expectErrorSatisfies(e ->
                        assertThat(e).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX"))
                .verify(TIMEOUT);

        java.net.http.HttpClient jdk = java.net.http.HttpClient.newHttpClient();
        try {
            jdk.sendAsync(HttpRequest.newBuilder(server.url("/j")).build(), HttpResponse.BodyHandlers.ofString())
                    .get(10, TimeUnit.SECONDS);
            throw new AssertionError("an untrusting client must refuse the self-signed certificate");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(SSLHandshakeException.class);
        }
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void certificateNamesLocalhostAndLoopback(MockHttpServer server) throws Exception {
        X509Certificate cert = server.certificate();

        cert.checkValidity();
        assertThat(cert.getSubjectAlternativeNames())
                .extracting(entry -> String.valueOf(entry.get(1)))
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
        assertThat(List.of(cert.getBasicConstraints())).containsExactly(-1);
    }

    @Test
    void faultsWorkOverH2(MockHttpServer server) {
        server.dispatcher(r -> MockResponse.builder().disconnectBeforeResponse().build());

        StepVerifier.create(get(trusting(server, HttpProtocol.H2).disableRetry(true), server))
                .expectError(PrematureCloseException.class)
                .verify(TIMEOUT);
    }

    @Test
    void delaysAndStreamingWorkOverH2(MockHttpServer server) {
        server.enqueue(MockResponse.builder()
                .chunkedLines(List.of("a", "b", "c"), Duration.ofMillis(20))
                .headersDelay(Duration.ofMillis(20))
                .bodyDelay(Duration.ofMillis(20))
                .build());

        StepVerifier.create(get(trusting(server, HttpProtocol.H2), server))
                .expectNext("a\nb\nc\n")
                .expectComplete()
                .verify(TIMEOUT);
    }
}
