package io.github.reactorpatterns.http;

import java.io.IOException;
import java.util.Objects;

/**
 * A request failed on the network: the connection was refused, reset or closed before the response was complete,
 * the TLS handshake failed, the host name did not resolve, or another I/O error occurred.
 *
 * <p>The Netty, reactor-netty or JDK exception that signalled it is the {@linkplain #getCause() cause}, unchanged:
 * {@code java.net.ConnectException}, reactor-netty's {@code PrematureCloseException},
 * {@code javax.net.ssl.SSLException}, {@code java.net.UnknownHostException}, ... Match on the cause to tell them
 * apart ({@code e.getCause() instanceof SSLException}); a {@link io.github.reactorpatterns.retry.RetryPolicy} whose
 * {@code retryOn} names one of those types still matches, since it looks through causes. The client signals this
 * type instead of the bare I/O exception so that every failure names its request and counts its attempts
 * ({@link HttpFailure}); it extends {@link IOException}, so {@code onErrorResume(IOException.class, ...)} still
 * catches it. Timeouts are {@link HttpTimeoutException}s instead.
 *
 * <p>The client retries it (for idempotent methods, under its retry policy) unless the cause is a TLS failure
 * ({@code SSLException}) or an unknown host.
 */
public final class HttpTransportException extends IOException implements HttpFailure {

    private static final long serialVersionUID = 1L;

    /** The method, part of the serialized form. */
    private final String method;
    /** The uri, part of the serialized form. */
    private final String uri;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception; the message names the request and the cause, as in
     * {@code "I/O error for GET http://example.com/: Connection refused"}.
     *
     * @param method the request method
     * @param uri the request URI
     * @param cause the I/O exception that failed the request
     * @throws NullPointerException if {@code method}, {@code uri} or {@code cause} is null
     */
    public HttpTransportException(String method, String uri, IOException cause) {
        super(
                "I/O error for " + Objects.requireNonNull(method, "method") + " " + Objects.requireNonNull(uri, "uri")
                        + ": " + describe(Objects.requireNonNull(cause, "cause")),
                cause);
        this.method = method;
        this.uri = uri;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getName() : message;
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

    /**
     * Returns the I/O exception that failed the request.
     *
     * @return the cause, never null
     */
    @Override
    public synchronized IOException getCause() {
        return (IOException) super.getCause();
    }
}
