package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Header parsing and error classification, without a network. */
class InternalsTest {

    @AutoClose
    private final Clients clients = new Clients();

    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void retryAfterParsesSecondsAndHttpDates() {
        assertThat(RetryAfterHeader.parse("120", NOW)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RetryAfterHeader.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfterHeader.parse("Sun, 22 Nov 2026 00:00:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfterHeader.parse("Sat, 21 Nov 2026 23:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfterHeader.parse("-5", NOW)).isNull();
        assertThat(RetryAfterHeader.parse("soon", NOW)).isNull();
        assertThat(RetryAfterHeader.parse("", NOW)).isNull();
        assertThat(RetryAfterHeader.parse(null, NOW)).isNull();
        assertThat(RetryAfterHeader.parse("99999999999999999999", NOW)).isNull();
    }

    @Test
    void nextLinkFollowsRfc8288() {
        assertThat(Pages.nextLink(List.of("<https://api.example.com/users?page=2>; rel=\"next\", "
                        + "<https://api.example.com/users?page=9>; rel=\"last\"")))
                .isEqualTo("https://api.example.com/users?page=2");
        assertThat(Pages.nextLink(List.of("</a?x=1,2>; rel=\"prev\"", "</b>; rel=\"prefetch next\"")))
                .isEqualTo("/b");
        assertThat(Pages.nextLink(List.of("</b>; REL=next"))).isEqualTo("/b");
        assertThat(Pages.nextLink(List.of("</b>; rel=\"last\""))).isNull();
        assertThat(Pages.nextLink(List.of())).isNull();
    }

    @Test
    void nettyTimeoutsBecomeHttpTimeoutExceptions() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        Settings s = client.settings;
        assertThat(((HttpTimeoutException) Exchange.translate(new ConnectTimeoutException("x"), s, "GET", "u", false))
                        .phase())
                .isEqualTo(HttpTimeoutException.Phase.CONNECT);
        assertThat(((HttpTimeoutException) Exchange.translate(ReadTimeoutException.INSTANCE, s, "GET", "u", true))
                        .phase())
                .isEqualTo(HttpTimeoutException.Phase.READ);
        assertThat(((HttpTimeoutException) Exchange.translate(ReadTimeoutException.INSTANCE, s, "GET", "u", false))
                        .phase())
                .isEqualTo(HttpTimeoutException.Phase.RESPONSE);
        HttpTimeoutException write =
                (HttpTimeoutException) Exchange.translate(WriteTimeoutException.INSTANCE, s, "PUT", "u", true);
        assertThat(write.phase()).isEqualTo(HttpTimeoutException.Phase.WRITE);
        assertThat(write.timeout()).isEqualTo(PooledHttpClient.DEFAULT_WRITE_TIMEOUT);
        assertThat(write)
                .hasMessage("WRITE timeout of PT10S exceeded for PUT u")
                .hasCause(WriteTimeoutException.INSTANCE);
    }

    @Test
    void ioErrorsBecomeHttpTransportExceptionsAndOtherErrorsPassUnchanged() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        Settings s = client.settings;
        IOException refused = new ConnectException("Connection refused: /127.0.0.1:9");
        assertThat(Exchange.translate(refused, s, "GET", "http://h/x", true))
                .isInstanceOfSatisfying(HttpTransportException.class, t -> {
                    assertThat(t.method()).isEqualTo("GET");
                    assertThat(t.uri()).isEqualTo("http://h/x");
                    assertThat(t.attempts()).isEqualTo(1);
                })
                .hasMessage("I/O error for GET http://h/x: Connection refused: /127.0.0.1:9")
                .hasCause(refused);
        assertThat(Exchange.translate(new IOException(), s, "PUT", "u", true))
                .hasMessage("I/O error for PUT u: java.io.IOException");
        HttpTransportException once = new HttpTransportException("GET", "u", refused);
        assertThat(Exchange.translate(once, s, "GET", "u", true))
                .as("not wrapped twice")
                .isSameAs(once);
        IllegalStateException notIo = new IllegalStateException("codec");
        assertThat(Exchange.translate(notIo, s, "GET", "u", true)).isSameAs(notIo);
    }

    @Test
    void transportFailuresAreRetryableUnlessTlsOrDns() {
        assertThat(Exchange.isRetryable(new HttpTransportException("GET", "u", new ConnectException("refused"))))
                .isTrue();
        assertThat(Exchange.isRetryable(
                        new HttpTransportException("GET", "u", new javax.net.ssl.SSLHandshakeException("bad cert"))))
                .isFalse();
        assertThat(Exchange.isRetryable(
                        new HttpTransportException("GET", "u", new java.net.UnknownHostException("nowhere"))))
                .isFalse();
    }

    @Test
    void everyFailureIsStampedWithItsAttempt() {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        List<HttpFailure> failures = List.of(
                new HttpStatusException(503, "GET", "u", h, new byte[0], null),
                new HttpTimeoutException(HttpTimeoutException.Phase.READ, "GET", "u", Duration.ofSeconds(1), null),
                new HttpTransportException("GET", "u", new ConnectException("refused")),
                new HttpDeadlineExceededException(Duration.ofSeconds(1), "GET", "u"),
                new ResponseTooLargeException("GET", "u", 1, "response body"),
                new TooManyRedirectsException("GET", List.of("u", "v"), 1),
                new PoolFullException("GET", "u", 1, null));
        for (HttpFailure f : failures) {
            assertThat(f.attempts()).as("%s", f).isEqualTo(1);
            assertThat(Exchange.withAttempts((Throwable) f, 3)).isSameAs(f);
            assertThat(f.attempts()).as("%s", f).isEqualTo(3);
            assertThat(f.method()).isEqualTo("GET");
            assertThat(f.uri()).isEqualTo("u");
        }
        IOException other = new IOException("other");
        assertThat(Exchange.withAttempts(other, 3)).isSameAs(other);
    }

    @Test
    void onlyTransientFailuresAreRetryable() {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        assertThat(Exchange.isRetryable(new HttpStatusException(503, "GET", "u", h, new byte[0], null)))
                .isTrue();
        assertThat(Exchange.isRetryable(new HttpStatusException(429, "GET", "u", h, new byte[0], null)))
                .isTrue();
        assertThat(Exchange.isRetryable(new HttpStatusException(500, "GET", "u", h, new byte[0], null)))
                .isFalse();
        assertThat(Exchange.isRetryable(new HttpStatusException(404, "GET", "u", h, new byte[0], null)))
                .isFalse();
        assertThat(Exchange.isRetryable(new ConnectException("refused"))).isTrue();
        assertThat(Exchange.isRetryable(new javax.net.ssl.SSLHandshakeException("bad cert")))
                .isFalse();
        assertThat(Exchange.isRetryable(new java.net.UnknownHostException("nowhere")))
                .isFalse();
        assertThat(Exchange.isRetryable(new ResponseTooLargeException("GET", "u", 1, "response body")))
                .isFalse();
        assertThat(Exchange.isRetryable(new HttpTimeoutException(
                        HttpTimeoutException.Phase.POOL, "GET", "u", Duration.ofSeconds(1), null)))
                .isFalse();
        assertThat(Exchange.isRetryable(new HttpTimeoutException(
                        HttpTimeoutException.Phase.READ, "GET", "u", Duration.ofSeconds(1), null)))
                .isTrue();
        assertThat(Exchange.isIdempotent("GET")).isTrue();
        assertThat(Exchange.isIdempotent("PUT")).isTrue();
        assertThat(Exchange.isIdempotent("POST")).isFalse();
        assertThat(Exchange.isIdempotent("PATCH")).isFalse();
    }

    @Test
    void statusExceptionKeepsFourKibOfBody() {
        byte[] body = new byte[10_000];
        HttpStatusException e = new HttpStatusException(500, "GET", "u", new DefaultHttpHeaders(), body, null);
        assertThat(e.body()).hasSize(HttpStatusException.MAX_BODY_SNIPPET);
        assertThat(e).hasMessage("HTTP 500 Internal Server Error for GET u");
        assertThat(e.retryAfter()).isEmpty();
    }
}
