package io.github.reactorpatterns.http;

import java.util.Objects;

/**
 * A response body was larger than the client's {@code maxResponseBytes}.
 *
 * <p>The client stops reading as soon as the limit is crossed (or at once when {@code Content-Length} announces a
 * larger body) and closes the connection instead of returning it to the pool half-read.
 */
public final class ResponseTooLargeException extends RuntimeException implements HttpFailure {

    private static final long serialVersionUID = 1L;

    /** The method, part of the serialized form. */
    private final String method;
    /** The uri, part of the serialized form. */
    private final String uri;
    /** The limit, part of the serialized form. */
    private final long limit;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception.
     *
     * @param method the request method
     * @param uri the request URI
     * @param limit the limit in bytes that was exceeded
     * @param what what exceeded it, e.g. {@code "response body"}
     * @throws NullPointerException if {@code method}, {@code uri} or {@code what} is null
     */
    public ResponseTooLargeException(String method, String uri, long limit, String what) {
        super(Objects.requireNonNull(what, "what") + " exceeds the limit of " + limit + " bytes for "
                + Objects.requireNonNull(method, "method") + " " + Objects.requireNonNull(uri, "uri"));
        this.method = method;
        this.uri = uri;
        this.limit = limit;
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
     * Returns the limit that was exceeded.
     *
     * @return the limit in bytes
     */
    public long limit() {
        return limit;
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
