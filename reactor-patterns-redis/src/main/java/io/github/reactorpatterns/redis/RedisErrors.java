package io.github.reactorpatterns.redis;

import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisLoadingException;

/** Sorts Redis errors into "the server could not be reached" and "the server refused the command". */
final class RedisErrors {

    private RedisErrors() {}

    /** Whether {@code e} means Redis could not answer (down, unreachable, too slow, loading), not a refusal. */
    static boolean isUnavailable(Throwable e) {
        if (e instanceof RedisLoadingException || e instanceof RedisBusyException || e instanceof TimeoutException) {
            return true;
        }
        return !(e instanceof RedisCommandExecutionException)
                && !(e instanceof IllegalArgumentException)
                && !(e instanceof IllegalStateException);
    }

    /** The error a caller sees: the key named for a wrong type, unavailability as {@link RedisUnavailableException}. */
    static Throwable translate(String key, Throwable e) {
        String message = e.getMessage();
        if (message != null && message.contains("WRONGTYPE")) {
            return new RedisKeyTypeException(key, e);
        }
        if (isUnavailable(e)) {
            return new RedisUnavailableException(key, e);
        }
        return e;
    }
}
