package io.github.reactorpatterns.http;

import java.time.Duration;
import java.util.Objects;

import io.github.reactorpatterns.time.DeadlineExceededException;

/**
 * The {@link io.github.reactorpatterns.time.Deadline} in the subscriber's Context passed before a request finished:
 * the attempt in flight was cancelled (its connection closed), or none was started.
 *
 * <p>A {@link DeadlineExceededException}, with the same message ({@code "deadline of 500ms exceeded"}) and
 * {@link #budget()}, so code that handles the deadline's failure handles it too; as an {@link HttpFailure} it also
 * names the request and counts its attempts. The client signals it when its own timer sees the deadline pass, when
 * an attempt (a retry too) would start after it, and, with {@link #attempts()} 0, when the deadline had passed
 * before the request was subscribed. When a {@link io.github.reactorpatterns.time.Deadline#within(Duration)
 * Deadline.within} operator downstream fires first, it cancels the request and signals its own
 * {@code DeadlineExceededException} instead.
 */
public final class HttpDeadlineExceededException extends DeadlineExceededException implements HttpFailure {

    private static final long serialVersionUID = 1L;

    /** The method, part of the serialized form. */
    private final String method;
    /** The uri, part of the serialized form. */
    private final String uri;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception.
     *
     * @param budget the budget of the deadline that passed
     * @param method the request method
     * @param uri the request URI
     * @throws NullPointerException if {@code budget}, {@code method} or {@code uri} is null
     */
    public HttpDeadlineExceededException(Duration budget, String method, String uri) {
        super(budget);
        this.method = Objects.requireNonNull(method, "method");
        this.uri = Objects.requireNonNull(uri, "uri");
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
     * Returns how many attempts the request made: the one the deadline cut included, 0 when the deadline had passed
     * before the first.
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
