package io.github.reactorpatterns.redis;

/**
 * A key that a Redis primitive uses already holds a value of another kind (for example a hash where a token bucket
 * keeps its state): another application uses the same name. Choose another name or delete the key.
 */
public final class RedisKeyTypeException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** The key that holds the wrong kind of value. */
    private final String key;

    RedisKeyTypeException(String key, Throwable cause) {
        super("Redis key " + key + " holds another kind of value (" + cause.getMessage() + ")", cause);
        this.key = key;
    }

    /**
     * The key that holds the wrong kind of value.
     *
     * @return the Redis key
     */
    public String key() {
        return key;
    }
}
