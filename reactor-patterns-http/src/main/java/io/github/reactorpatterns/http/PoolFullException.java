package io.github.reactorpatterns.http;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * A request was refused at once because every connection to its host was in use and
 * {@code pendingAcquireMaxCount} requests were already waiting for one
 * ({@link PooledHttpClient.Builder#pendingAcquireMaxCount(int)}).
 *
 * <p>It is back-pressure, not a failure of the remote service: the request was never sent, and the client does not
 * retry it. Extends {@link RejectedExecutionException}, as a full executor queue would.
 */
public final class PoolFullException extends RejectedExecutionException implements HttpFailure {

    private static final long serialVersionUID = 1L;

    /** The method, part of the serialized form. */
    private final String method;
    /** The uri, part of the serialized form. */
    private final String uri;
    /** The limit, part of the serialized form. */
    private final int pendingAcquireMaxCount;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception.
     *
     * @param method the request method
     * @param uri the request URI
     * @param pendingAcquireMaxCount the limit on waiting requests that was reached
     * @param cause the low-level exception that signalled it, or {@code null}
     * @throws NullPointerException if {@code method} or {@code uri} is null
     */
    public PoolFullException(String method, String uri, int pendingAcquireMaxCount, @Nullable Throwable cause) {
        super(
                "connection pool full: every connection is in use and " + pendingAcquireMaxCount
                        + " requests (pendingAcquireMaxCount) are already waiting, for "
                        + Objects.requireNonNull(method, "method")
                        + " " + Objects.requireNonNull(uri, "uri"),
                cause);
        this.method = method;
        this.uri = uri;
        this.pendingAcquireMaxCount = pendingAcquireMaxCount;
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
     * Returns the limit on waiting requests that was reached.
     *
     * @return the client's {@code pendingAcquireMaxCount}
     */
    public int pendingAcquireMaxCount() {
        return pendingAcquireMaxCount;
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
