package io.github.reactorpatterns.redis;

/**
 * Redis could not be reached, or did not answer within the timeout, while a shared primitive needed it; the cause
 * is Lettuce's error (or a {@link java.util.concurrent.TimeoutException}). A {@link RedisTokenBucket} that fails
 * closed signals it to waiting callers; one that fails open grants instead.
 */
public final class RedisUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The key whose server could not be reached. */
    private final String key;

    RedisUnavailableException(String key, Throwable cause) {
        super("Redis unavailable for " + key + ": " + cause, cause);
        this.key = key;
    }

    /**
     * The key of the primitive whose server could not be reached.
     *
     * @return the Redis key
     */
    public String key() {
        return key;
    }
}
