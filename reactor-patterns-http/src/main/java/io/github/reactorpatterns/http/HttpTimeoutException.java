package io.github.reactorpatterns.http;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * A request ran out of one of the client's configured times.
 *
 * <p>{@link #phase()} says which one: waiting for a pooled connection, connecting, writing the request, waiting for
 * the response headers, or waiting between two reads of the body. The Netty exception that signalled it, if any, is
 * the {@linkplain #getCause() cause}. Extends {@link TimeoutException} so that code which splits failures by type
 * (as Python's {@code except* httpx.TimeoutException}) can treat every timeout alike.
 */
public final class HttpTimeoutException extends TimeoutException implements HttpFailure {

    private static final long serialVersionUID = 1L;

    /** Which of the client's timeouts expired. */
    public enum Phase {
        /** No pooled connection became free within {@code pendingAcquireTimeout} (httpx's "pool" timeout). */
        POOL,
        /** The TCP connect and the TLS handshake, if any, did not complete within {@code connectTimeout}. */
        CONNECT,
        /** A write of the request did not complete within {@code writeTimeout}. */
        WRITE,
        /**
         * The final response's status line and headers did not arrive within {@code responseTimeout} of the request
         * being sent ({@code 1xx} interim responses do not count as headers).
         */
        RESPONSE,
        /** Nothing was read from the connection for {@code readTimeout}. */
        READ
    }

    /** The phase, part of the serialized form. */
    private final Phase phase;
    /** The method, part of the serialized form. */
    private final String method;
    /** The uri, part of the serialized form. */
    private final String uri;
    /** The timeout, part of the serialized form. */
    private final Duration timeout;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception.
     *
     * @param phase which timeout expired
     * @param method the request method
     * @param uri the request URI
     * @param timeout the configured time that ran out
     * @param cause the low-level exception that signalled it, or {@code null}
     * @throws NullPointerException if {@code phase}, {@code method}, {@code uri} or {@code timeout} is null
     */
    public HttpTimeoutException(Phase phase, String method, String uri, Duration timeout, @Nullable Throwable cause) {
        super(Objects.requireNonNull(phase, "phase") + " timeout of " + Objects.requireNonNull(timeout, "timeout")
                + " exceeded for " + Objects.requireNonNull(method, "method") + " "
                + Objects.requireNonNull(uri, "uri"));
        this.phase = phase;
        this.method = method;
        this.uri = uri;
        this.timeout = timeout;
        if (cause != null) {
            initCause(cause);
        }
    }

    /**
     * Returns which timeout expired.
     *
     * @return the phase
     */
    public Phase phase() {
        return phase;
    }

    /**
     * Returns the request method.
     *
     * @return the method, e.g. {@code GET}
     */
    @Override
    public String method() {
        return method;
    }

    /**
     * Returns the request URI.
     *
     * @return the URI as sent
     */
    @Override
    public String uri() {
        return uri;
    }

    /**
     * Returns the configured time that ran out.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
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
