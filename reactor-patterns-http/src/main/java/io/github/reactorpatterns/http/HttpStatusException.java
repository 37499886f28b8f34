package io.github.reactorpatterns.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import io.github.reactorpatterns.retry.RetryAfter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/**
 * The server answered with a status outside 2xx: the equivalent of httpx's {@code raise_for_status()}.
 *
 * <p>Carries the status, the request method and URI, the response headers, the first
 * {@value #MAX_BODY_SNIPPET} bytes of the body, and the delay the server asked for in {@code Retry-After}
 * (delay-seconds or HTTP-date). It is a {@link RetryAfter}, so a {@link io.github.reactorpatterns.retry.RetryPolicy}
 * waits at least that long before the next attempt.
 */
public final class HttpStatusException extends RuntimeException implements RetryAfter, HttpFailure {

    private static final long serialVersionUID = 1L;

    /** How many bytes of the response body the exception keeps: 4 KiB. */
    public static final int MAX_BODY_SNIPPET = 4096;

    /** The status, part of the serialized form. */
    private final int status;
    /** The method, part of the serialized form. */
    private final String method;
    /** The uri, part of the serialized form. */
    private final String uri;
    /** The headers; not serialized. */
    private final transient HttpHeaders headers;
    /** The body, part of the serialized form. */
    private final byte[] body;
    /** The retryAfter, part of the serialized form. */
    private final @Nullable Duration retryAfter;
    /** The complete response; not serialized. */
    private final transient @Nullable HttpResult result;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception; the body is cut to its first {@value #MAX_BODY_SNIPPET} bytes.
     *
     * @param status the response status
     * @param method the request method
     * @param uri the request URI
     * @param headers the response headers
     * @param body the response body, or its beginning
     * @param retryAfter the delay asked for by {@code Retry-After}, or {@code null}
     * @throws NullPointerException if {@code method}, {@code uri}, {@code headers} or {@code body} is null
     */
    public HttpStatusException(
            int status, String method, String uri, HttpHeaders headers, byte[] body, @Nullable Duration retryAfter) {
        this(status, method, uri, headers, body, retryAfter, null);
    }

    HttpStatusException(
            int status,
            String method,
            String uri,
            HttpHeaders headers,
            byte[] body,
            @Nullable Duration retryAfter,
            @Nullable HttpResult result) {
        super("HTTP " + HttpResponseStatus.valueOf(status) + " for " + Objects.requireNonNull(method, "method") + " "
                + Objects.requireNonNull(uri, "uri"));
        this.status = status;
        this.method = method;
        this.uri = uri;
        this.headers = Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        this.body = body.length <= MAX_BODY_SNIPPET ? body.clone() : Arrays.copyOf(body, MAX_BODY_SNIPPET);
        this.retryAfter = retryAfter;
        this.result = result;
    }

    /**
     * Returns the response status.
     *
     * @return the status code, e.g. 503
     */
    public int status() {
        return status;
    }

    /**
     * Returns the request method.
     *
     * @return the method
     */
    @Override
    public String method() {
        return method;
    }

    /**
     * Returns the request URI.
     *
     * @return the URI
     */
    @Override
    public String uri() {
        return uri;
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
     * Returns a copy of the first {@value #MAX_BODY_SNIPPET} bytes of the body.
     *
     * @return the body's beginning
     */
    public byte[] body() {
        return body.clone();
    }

    /**
     * Returns the first {@value #MAX_BODY_SNIPPET} bytes of the body decoded as UTF-8.
     *
     * @return the body's beginning as text
     */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Returns the delay the server asked for in {@code Retry-After}, measured when the response arrived.
     *
     * @return the delay, or empty when the header was absent or malformed
     */
    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The complete response, kept so that {@code result()} can hand it back after retries gave up. */
    @Nullable
    HttpResult result() {
        return result;
    }

    /**
     * Returns how many attempts the request made, this one included.
     *
     * @return the number of attempts
     */
    @Override
    public int attempts() {
        return attempts;
    }

    void attempts(int attempts) {
        this.attempts = attempts;
    }
}
