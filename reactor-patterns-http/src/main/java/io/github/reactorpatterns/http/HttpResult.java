package io.github.reactorpatterns.http;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;

/**
 * A complete response: status, headers, the whole body, how long it took and how many attempts it needed.
 *
 * <p>Returned by {@link HttpRequestSpec#result()} whatever the status, and carried by
 * {@link PooledHttpClient#fetchAll(org.reactivestreams.Publisher, int)}. Immutable: {@link #body()} returns a copy;
 * the {@link #headers()} must not be modified.
 */
public final class HttpResult {

    private final String method;
    private final String uri;
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;
    private final Duration elapsed;
    private final int attempts;

    HttpResult(
            String method, String uri, int status, HttpHeaders headers, byte[] body, Duration elapsed, int attempts) {
        this.method = method;
        this.uri = uri;
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.elapsed = elapsed;
        this.attempts = attempts;
    }

    /**
     * Returns the request method.
     *
     * @return the method, e.g. {@code GET}
     */
    public String method() {
        return method;
    }

    /**
     * Returns the URI of the response (after redirects, if the client follows them).
     *
     * @return the absolute URI
     */
    public String uri() {
        return uri;
    }

    /**
     * Returns the status code.
     *
     * @return the status, e.g. 200
     */
    public int status() {
        return status;
    }

    /**
     * Tells whether the status is 2xx.
     *
     * @return {@code true} for 200 to 299
     */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /**
     * Returns the response headers; do not modify them.
     *
     * @return the headers
     */
    public HttpHeaders headers() {
        return headers;
    }

    /**
     * Returns a copy of the body.
     *
     * @return the body bytes, empty when there was none
     */
    public byte[] body() {
        return body.clone();
    }

    /**
     * Returns the body length.
     *
     * @return the number of body bytes
     */
    public int bodyLength() {
        return body.length;
    }

    /**
     * Decodes the body with the charset of {@code Content-Type}, or UTF-8 when it names none.
     *
     * @return the body as text
     */
    public String bodyAsString() {
        return new String(body, charset(headers));
    }

    /**
     * Returns the time from the subscription to the last byte of the body, retries and back-off included.
     *
     * @return the elapsed time
     */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * Returns how many attempts the request took; 1 when it was not retried.
     *
     * @return the number of attempts
     */
    public int attempts() {
        return attempts;
    }

    byte[] bodyUnsafe() {
        return body;
    }

    static Charset charset(HttpHeaders headers) {
        String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null) {
            return StandardCharsets.UTF_8;
        }
        return HttpUtil.getCharset(contentType, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HttpResult)) {
            return false;
        }
        HttpResult that = (HttpResult) o;
        return status == that.status
                && attempts == that.attempts
                && method.equals(that.method)
                && uri.equals(that.uri)
                && headers.equals(that.headers)
                && Arrays.equals(body, that.body)
                && elapsed.equals(that.elapsed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, uri, status, Arrays.hashCode(body), attempts);
    }

    @Override
    public String toString() {
        return "HttpResult[" + method + " " + uri + " -> " + status + ", " + body.length + " bytes, " + elapsed
                + ", attempts=" + attempts + "]";
    }
}
