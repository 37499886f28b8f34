package io.github.reactorpatterns.http;

import java.util.List;
import java.util.Objects;

/**
 * A request was redirected more often than the client's {@code maxRedirects} allows: a redirect loop, or a chain
 * too long to be worth following.
 *
 * <p>Raised instead of sending the next request; the connection of the last redirect response is released. Not
 * retried by the client's retry rules.
 */
public final class TooManyRedirectsException extends RuntimeException implements HttpFailure {

    private static final long serialVersionUID = 1L;

    /** The method, part of the serialized form. */
    private final String method;
    /** The redirect chain, part of the serialized form. */
    private final List<String> chain;
    /** The limit, part of the serialized form. */
    private final int limit;
    /** The attempts, part of the serialized form. */
    private int attempts = 1;

    /**
     * Creates the exception.
     *
     * @param method the request method
     * @param chain the URIs requested, in order, followed by the location of the redirect that was not followed
     * @param limit the maximum number of redirects that was reached
     * @throws NullPointerException if {@code method}, {@code chain} or an element of it is null
     */
    public TooManyRedirectsException(String method, List<String> chain, int limit) {
        super("too many redirects: more than " + limit + " for " + Objects.requireNonNull(method, "method") + " "
                + (Objects.requireNonNull(chain, "chain").isEmpty() ? "?" : chain.get(0))
                + (chain.isEmpty() ? "" : ", last to " + chain.get(chain.size() - 1)));
        this.method = method;
        this.chain = List.copyOf(chain);
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
     * Returns the last URI requested: the one whose redirect was not followed, next to last in {@link #chain()}.
     *
     * @return the URI, or an empty string if the chain is empty
     */
    @Override
    public String uri() {
        return chain.isEmpty() ? "" : chain.get(Math.max(0, chain.size() - 2));
    }

    /**
     * Returns the URIs requested, in order, and last the location that was not followed.
     *
     * @return an unmodifiable list, the first element being the original request URI
     */
    public List<String> chain() {
        return chain;
    }

    /**
     * Returns the limit that was reached.
     *
     * @return the maximum number of redirects
     */
    public int limit() {
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
