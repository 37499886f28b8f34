package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The origin rule (scheme, host and port) for redirects and next-page links. Two mock servers on one host and two
 * ports are two origins.
 */
@MockHttpServerTest
class PooledHttpClientRedirectTest {

    @AutoClose
    private final Clients clients = new Clients();

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static MockResponse redirect(int status, String location) {
        return MockResponse.builder()
                .status(status)
                .header("Location", location)
                .build();
    }

    private static RecordedRequest take(MockHttpServer server) {
        RecordedRequest r = server.takeRequest(Duration.ofSeconds(5));
        assertThat(r).as("a request at " + server).isNotNull();
        return r;
    }

    /** Regression: credential stripping compared host names only; another port on the same host got them. */
    @Test
    void redirectToAnotherPortOfTheSameHostDropsCredentials() {
        try (MockHttpServer a = MockHttpServer.start();
                MockHttpServer b = MockHttpServer.start()) {
            PooledHttpClient client = clients.add(PooledHttpClient.builder()
                    .followRedirects(true)
                    .defaultHeader("Cookie", "session=1")
                    .build());
            a.enqueue(redirect(307, b.url("/elsewhere").toString()));
            b.enqueue(MockResponse.of(200, "moved"));
            StepVerifier.create(client.get(a.url("/start").toString())
                            .header("Authorization", "Bearer s3cret")
                            .header("Proxy-Authorization", "Basic eA==")
                            .header("X-Kept", "yes")
                            .text())
                    .expectNext("moved")
                    .expectComplete()
                    .verify(WAIT);
            assertThat(take(a).header("Authorization")).isEqualTo("Bearer s3cret");
            RecordedRequest redirected = take(b);
            assertThat(redirected.path()).isEqualTo("/elsewhere");
            assertThat(redirected.header("Authorization")).isNull();
            assertThat(redirected.header("Cookie")).isNull();
            assertThat(redirected.header("Proxy-Authorization")).isNull();
            assertThat(redirected.header("X-Kept")).isEqualTo("yes");
        }
    }

    /** Once a chain has left the origin, coming back to it does not bring the credentials back. */
    @Test
    void credentialsStayDroppedForTheRestOfTheChain() {
        try (MockHttpServer a = MockHttpServer.start();
                MockHttpServer b = MockHttpServer.start()) {
            PooledHttpClient client =
                    clients.add(PooledHttpClient.builder().followRedirects(true).build());
            a.enqueue(redirect(302, b.url("/b").toString()));
            b.enqueue(redirect(302, a.url("/back").toString()));
            a.enqueue(MockResponse.of(200, "home"));
            StepVerifier.create(client.get(a.url("/start").toString())
                            .header("Authorization", "t")
                            .text())
                    .expectNext("home")
                    .expectComplete()
                    .verify(WAIT);
            take(a);
            take(b);
            RecordedRequest back = take(a);
            assertThat(back.path()).isEqualTo("/back");
            assertThat(back.header("Authorization")).isNull();
        }
    }

    /** Regression: a 303 after a POST was followed by a GET that still carried the POST body. */
    @Test
    void seeOtherAfterPostIsABodylessGet(MockHttpServer a) {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().followRedirects(true).build());
        a.enqueue(redirect(303, "/done"));
        a.enqueue(MockResponse.of(200, "done"));
        StepVerifier.create(client.post(a.url("/orders").toString())
                        .header("Content-Type", "application/json")
                        .header("Authorization", "t")
                        .body("{\"order\":1}")
                        .text())
                .expectNext("done")
                .expectComplete()
                .verify(WAIT);
        RecordedRequest post = take(a);
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.bodyUtf8()).isEqualTo("{\"order\":1}");
        RecordedRequest get = take(a);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.path()).isEqualTo("/done");
        assertThat(get.body()).isEmpty();
        assertThat(get.header("Content-Type")).isNull();
        assertThat(get.header("Content-Length")).isIn(null, "0");
        // Same origin: the credentials stay.
        assertThat(get.header("Authorization")).isEqualTo("t");
    }

    /** Regression: a 301 or 302 after a POST re-sent the POST and its body to another host. */
    @Test
    void movedAfterPostToAnotherOriginIsABodylessGetWithoutCredentials() {
        for (int status : new int[] {301, 302}) {
            try (MockHttpServer a = MockHttpServer.start();
                    MockHttpServer b = MockHttpServer.start()) {
                PooledHttpClient client = clients.add(
                        PooledHttpClient.builder().followRedirects(true).build());
                a.enqueue(redirect(status, b.url("/landing").toString()));
                b.enqueue(MockResponse.of(200, "landed"));
                StepVerifier.create(client.post(a.url("/form").toString())
                                .header("Cookie", "c=1")
                                .body("secret=1")
                                .text())
                        .expectNext("landed")
                        .expectComplete()
                        .verify(WAIT);
                take(a);
                RecordedRequest landed = take(b);
                assertThat(landed.method()).as("after %d", status).isEqualTo("GET");
                assertThat(landed.body()).isEmpty();
                assertThat(landed.header("Content-Type")).isNull();
                assertThat(landed.header("Cookie")).isNull();
            }
        }
    }

    /** A 307 keeps method and body on the same origin, and is not followed when it would send the body away. */
    @Test
    void temporaryRedirectReplaysTheBodyOnlyOnTheSameOrigin() {
        try (MockHttpServer a = MockHttpServer.start();
                MockHttpServer b = MockHttpServer.start()) {
            PooledHttpClient client =
                    clients.add(PooledHttpClient.builder().followRedirects(true).build());
            a.enqueue(redirect(307, "/again"));
            a.enqueue(MockResponse.of(200, "ok"));
            StepVerifier.create(client.put(a.url("/doc").toString()).body("v2").text())
                    .expectNext("ok")
                    .expectComplete()
                    .verify(WAIT);
            take(a);
            RecordedRequest again = take(a);
            assertThat(again.method()).isEqualTo("PUT");
            assertThat(again.bodyUtf8()).isEqualTo("v2");

            a.enqueue(redirect(308, b.url("/steal").toString()));
            StepVerifier.create(client.put(a.url("/doc").toString()).body("v3").result())
                    .assertNext(r -> assertThat(r.status()).isEqualTo(308))
                    .expectComplete()
                    .verify(WAIT);
            assertThat(b.requestCount()).isZero();
        }
    }

    /** A redirect from https to http is not followed unless the builder allows it. */
    @Test
    void httpsToHttpRedirectIsRefusedUnlessAllowed() {
        try (MockHttpServer tls = MockHttpServer.startTls();
                MockHttpServer plain = MockHttpServer.start()) {
            PooledHttpClient strict = clients.add(PooledHttpClient.builder()
                    .followRedirects(true)
                    .trustedCertificates(tls.certificate())
                    .build());
            PooledHttpClient lax = clients.add(PooledHttpClient.builder()
                    .followRedirects(true)
                    .allowHttpsToHttpRedirects(true)
                    .trustedCertificates(tls.certificate())
                    .build());
            tls.enqueue(redirect(302, plain.url("/clear").toString()));
            StepVerifier.create(strict.get(tls.url("/secure").toString()).result())
                    .assertNext(r -> {
                        assertThat(r.status()).isEqualTo(302);
                        assertThat(r.uri()).startsWith("https://");
                    })
                    .expectComplete()
                    .verify(WAIT);
            assertThat(plain.requestCount()).isZero();

            tls.enqueue(redirect(302, plain.url("/clear").toString()));
            plain.enqueue(MockResponse.of(200, "clear"));
            StepVerifier.create(lax.get(tls.url("/secure").toString())
                            .header("Authorization", "t")
                            .text())
                    .expectNext("clear")
                    .expectComplete()
                    .verify(WAIT);
            // Another scheme is another origin.
            assertThat(take(plain).header("Authorization")).isNull();
        }
    }

    /** A redirect loop ends after maxRedirects with a typed "too many redirects" error, not retried. */
    @Test
    void redirectLoopEndsWithTooManyRedirects(MockHttpServer a) {
        a.dispatcher(r -> redirect(302, r.path().equals("/ping") ? "/pong" : "/ping"));
        PooledHttpClient byDefault =
                clients.add(PooledHttpClient.builder().followRedirects(true).build());
        PooledHttpClient three = clients.add(
                PooledHttpClient.builder().followRedirects(true).maxRedirects(3).build());
        StepVerifier.create(byDefault.get(a.url("/ping").toString()).result())
                .expectErrorSatisfies(e -> {
                    assertThat(e)
                            .isInstanceOf(TooManyRedirectsException.class)
                            .hasMessageStartingWith("too many redirects: more than 20 for GET " + a.url("/ping"));
                    TooManyRedirectsException t = (TooManyRedirectsException) e;
                    assertThat(t.limit())
                            .isEqualTo(PooledHttpClient.DEFAULT_MAX_REDIRECTS)
                            .isEqualTo(20);
                    assertThat(t.chain())
                            .hasSize(22)
                            .startsWith(
                                    a.url("/ping").toString(), a.url("/pong").toString());
                })
                .verify(WAIT);
        assertThat(a.requestCount()).isEqualTo(21);

        StepVerifier.create(three.get(a.url("/ping").toString()).text())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(TooManyRedirectsException.class)
                        .hasMessage("too many redirects: more than 3 for GET " + a.url("/ping") + ", last to "
                                + a.url("/ping")))
                .verify(WAIT);
        assertThat(a.requestCount()).isEqualTo(21 + 4);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> PooledHttpClient.builder().maxRedirects(0))
                .withMessage("maxRedirects > 0 required but it was 0");
    }

    /**
     * Regression: {@code paginateLinks} followed a {@code Link: rel="next"} to another origin with the request's
     * body, {@code Authorization} and {@code Cookie}.
     */
    @Test
    void nextLinkToAnotherOriginSendsNeitherCredentialsNorBody() {
        try (MockHttpServer a = MockHttpServer.start();
                MockHttpServer b = MockHttpServer.start()) {
            PooledHttpClient client = clients.add(PooledHttpClient.builder()
                    .defaultHeader("Cookie", "session=1")
                    .build());
            a.enqueue(MockResponse.builder()
                    .jsonBody("[1,2]")
                    .header("Link", "<" + a.url("/page2") + ">; rel=\"next\"")
                    .build());
            a.enqueue(MockResponse.builder()
                    .jsonBody("[3]")
                    .header("Link", "<" + b.url("/page3") + ">; rel=\"next\"")
                    .build());
            b.enqueue(MockResponse.builder().jsonBody("[4]").build());
            StepVerifier.create(client.paginateLinks(
                                    client.post(a.url("/search").toString())
                                            .header("Authorization", "Bearer s3cret")
                                            .body("q=x"),
                                    "",
                                    Integer.class)
                            .collectList())
                    .expectNext(List.of(1, 2, 3, 4))
                    .expectComplete()
                    .verify(WAIT);
            take(a);
            RecordedRequest sameOrigin = take(a);
            assertThat(sameOrigin.method()).isEqualTo("POST");
            assertThat(sameOrigin.bodyUtf8()).isEqualTo("q=x");
            assertThat(sameOrigin.header("Authorization")).isEqualTo("Bearer s3cret");
            RecordedRequest other = take(b);
            assertThat(other.method()).isEqualTo("GET");
            assertThat(other.body()).isEmpty();
            assertThat(other.header("Authorization")).isNull();
            assertThat(other.header("Cookie")).isNull();
        }
    }
}
