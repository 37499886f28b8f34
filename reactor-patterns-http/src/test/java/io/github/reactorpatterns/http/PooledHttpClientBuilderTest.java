package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;

import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

class PooledHttpClientBuilderTest {

    private final PooledHttpClient.Builder b = PooledHttpClient.builder();

    @Test
    void defaultsAreDocumentedConstants() {
        assertThat(PooledHttpClient.DEFAULT_MAX_IDLE_TIME).isLessThan(Duration.ofSeconds(5));
        assertThat(PooledHttpClient.DEFAULT_MAX_RESPONSE_BYTES).isEqualTo(10 * 1024 * 1024);
        assertThat(PooledHttpClient.DEFAULT_USER_AGENT).isEqualTo("reactor-patterns/" + PooledHttpClient.VERSION);
        assertThat(PooledHttpClient.VERSION).isNotBlank();
        PooledHttpClient client = b.build();
        try {
            assertThat(client.poolMetrics()).isEqualTo(new PoolMetrics(0, 0, 0, 0));
            assertThat(client.baseUrl()).isNull();
            assertThat(client.isDisposed()).isFalse();
        } finally {
            client.dispose();
        }
    }

    @Test
    void nullArgumentsAreNamed() {
        assertThatNullPointerException().isThrownBy(() -> b.baseUrl(null)).withMessage("baseUrl");
        assertThatNullPointerException()
                .isThrownBy(() -> b.defaultHeader(null, "v"))
                .withMessage("name");
        assertThatNullPointerException()
                .isThrownBy(() -> b.defaultHeader("n", null))
                .withMessage("value");
        assertThatNullPointerException()
                .isThrownBy(() -> b.connectTimeout(null))
                .withMessage("connectTimeout");
        assertThatNullPointerException().isThrownBy(() -> b.protocol(null)).withMessage("protocol");
        assertThatNullPointerException().isThrownBy(() -> b.retry(null)).withMessage("policy");
        assertThatNullPointerException().isThrownBy(() -> b.retryBudget(null)).withMessage("budget");
        assertThatNullPointerException().isThrownBy(() -> b.rateLimit(null)).withMessage("bucket");
        assertThatNullPointerException()
                .isThrownBy(() -> b.concurrencyLimit(null))
                .withMessage("semaphore");
        assertThatNullPointerException().isThrownBy(() -> b.objectMapper(null)).withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> b.trustedCertificates((java.security.cert.X509Certificate[]) null))
                .withMessage("certificates");
    }

    @Test
    void outOfRangeNumbersAreRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.maxConnections(0))
                .withMessage("maxConnections > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.pendingAcquireMaxCount(-1))
                .withMessage("pendingAcquireMaxCount > 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.maxResponseBytes(0))
                .withMessage("maxResponseBytes > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.maxLineLength(0))
                .withMessage("maxLineLength > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.readTimeout(Duration.ZERO))
                .withMessage("readTimeout > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.maxIdleTime(Duration.ofSeconds(-1)))
                .withMessage("maxIdleTime > 0 required but it was PT-1S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.baseUrl("ftp://x"))
                .withMessage("baseUrl must start with http:// or https:// but it was ftp://x");
        assertThatIllegalArgumentException().isThrownBy(() -> b.name(" ")).withMessage("name must not be blank");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.trustedCertificates())
                .withMessage("at least one certificate required");
    }

    @Test
    void retryBudgetAndCustomPolicyDoNotMix() {
        b.retry(RetryPolicy.none()).retryBudget(RetryBudget.ofDefaults());
        assertThatIllegalStateException()
                .isThrownBy(b::build)
                .withMessage("retryBudget applies to the default retry policy; "
                        + "set the budget on the RetryPolicy given to retry(...) instead");
    }

    @Test
    void requestArgumentsAreChecked() {
        PooledHttpClient client = b.build();
        try {
            assertThatNullPointerException().isThrownBy(() -> client.get(null)).withMessage("uri");
            assertThatNullPointerException()
                    .isThrownBy(() -> client.request(null, "/"))
                    .withMessage("method");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> client.request("GE T", "/"))
                    .withMessage("method must be a token but it was 'GE T'");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> client.fetchAll(reactor.core.publisher.Flux.empty(), 0))
                    .withMessage("concurrency > 0 required but it was 0");
            assertThatNullPointerException()
                    .isThrownBy(() -> client.fetchAll(null, 1))
                    .withMessage("uris");
            HttpRequestSpec spec = client.get("http://127.0.0.1:1/");
            assertThatNullPointerException()
                    .isThrownBy(() -> spec.header(null, "v"))
                    .withMessage("name");
            assertThatNullPointerException()
                    .isThrownBy(() -> spec.query("q", null))
                    .withMessage("value");
            assertThatNullPointerException()
                    .isThrownBy(() -> spec.body((String) null))
                    .withMessage("text");
            assertThatNullPointerException()
                    .isThrownBy(() -> spec.body((byte[]) null))
                    .withMessage("bytes");
            assertThatNullPointerException()
                    .isThrownBy(() -> spec.jsonBody(null))
                    .withMessage("value");
            assertThatNullPointerException()
                    .isThrownBy(() -> spec.json((Class<?>) null))
                    .withMessage("type");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> spec.chunks(0))
                    .withMessage("size > 0 required but it was 0");
        } finally {
            client.dispose();
        }
    }

    @Test
    void specsAreImmutable() {
        PooledHttpClient client = b.baseUrl("http://example.com/api").build();
        try {
            HttpRequestSpec base = client.get("/users");
            HttpRequestSpec withQuery = base.query("page", 2);
            assertThat(base.uri()).isEqualTo("http://example.com/api/users");
            assertThat(withQuery.uri()).isEqualTo("http://example.com/api/users?page=2");
            assertThat(withQuery.toString()).isEqualTo("GET http://example.com/api/users?page=2");
        } finally {
            client.dispose();
        }
    }

    /**
     * Regression: {@code header()} refused CR/LF but {@code defaultHeader} sent {@code "v\r\nX-Injected: 1"} as an
     * extra header line on every request. Names must be RFC 9110 tokens; values must hold no CR, LF or NUL.
     */
    @Test
    void defaultHeaderInjectionIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.defaultHeader("X-App", "v\r\nX-Injected: 1"))
                .withMessage(
                        "the value of header 'X-App' must not contain CR, LF or NUL but it contains CR at index 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.defaultHeader("X-App", "v\nX-Injected: 1"))
                .withMessage(
                        "the value of header 'X-App' must not contain CR, LF or NUL but it contains LF at index 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.defaultHeader("X-App", "v\0"))
                .withMessage(
                        "the value of header 'X-App' must not contain CR, LF or NUL but it contains NUL at index 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.defaultHeader("X-App: 1\r\nX-Injected", "v"))
                .withMessage("a header name must be a token (RFC 9110) but 'X-App: 1\\r\\nX-Injected' contains ':' "
                        + "at index 5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.defaultHeader("X App", "v"))
                .withMessage("a header name must be a token (RFC 9110) but 'X App' contains ' ' at index 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.defaultHeader("", "v"))
                .withMessage("a header name must not be empty");
        // Nothing rejected was kept: the builder still builds, and tokens with tabs in values are fine.
        b.defaultHeader("X-App_1.2~", "a\tb \u00e9");
        b.build().dispose();
    }

    /** {@code header()} refuses the same at once, rather than when the request is sent. */
    @Test
    void headerInjectionIsRejectedAtOnce() {
        PooledHttpClient client = b.build();
        try {
            HttpRequestSpec spec = client.get("http://127.0.0.1:1/");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> spec.header("X-App", "v\r\nX-Injected: 1"))
                    .withMessage(
                            "the value of header 'X-App' must not contain CR, LF or NUL but it contains CR at index 1");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> spec.header("X:App", "v"))
                    .withMessage("a header name must be a token (RFC 9110) but 'X:App' contains ':' at index 1");
        } finally {
            client.dispose();
        }
    }
}
