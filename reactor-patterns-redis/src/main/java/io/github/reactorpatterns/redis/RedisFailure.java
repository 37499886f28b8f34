package io.github.reactorpatterns.redis;

import java.util.Objects;

/**
 * One decision taken because Redis could not be reached: reported to the listener of a {@link RedisTokenBucket}
 * (see {@link RedisTokenBucket.Builder#onFailure(java.util.function.Consumer)}) each time it fails open or closed.
 *
 * @param key the Redis key of the primitive
 * @param operation what was asked: {@code "acquire"}, {@code "tryAcquire"}, {@code "pause"} or
 *        {@code "estimatedWait"}
 * @param allowed {@code true} if the call was let through anyway (fail open), {@code false} if refused (fail closed)
 * @param error why Redis could not answer
 */
public record RedisFailure(String key, String operation, boolean allowed, Throwable error) {

    /**
     * Checks the components.
     *
     * @param key the Redis key of the primitive
     * @param operation what was asked
     * @param allowed whether the call was let through
     * @param error why Redis could not answer
     * @throws NullPointerException if {@code key}, {@code operation} or {@code error} is null
     */
    public RedisFailure {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(error, "error");
    }
}
