package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.redis.RedisSemaphore;
import io.github.reactorpatterns.redis.RedisTokenBucket;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;

/**
 * {@code fetch --redis}: the run's rate limit and concurrency limit shared through Redis by every {@code fetch}
 * process that uses the same server and {@code --limit-name}, so that {@code --rate} and {@code --concurrency} hold
 * for all of them together, and a {@code Retry-After} pauses all of them.
 */
final class RedisLimits implements AutoCloseable {

    /** The name shared limits go by when {@code --limit-name} is not given. */
    static final String DEFAULT_NAME = "reactor-patterns-fetch";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final @Nullable RedisTokenBucket bucket;
    private final RedisSemaphore permits;

    private RedisLimits(
            RedisClient client,
            StatefulRedisConnection<String, String> connection,
            @Nullable RedisTokenBucket bucket,
            RedisSemaphore permits) {
        this.client = client;
        this.connection = connection;
        this.bucket = bucket;
        this.permits = permits;
    }

    /**
     * Connects to {@code uri} and builds the shared limits for {@code settings} under {@code name}.
     *
     * @throws UsageException with one line for the user when the URI is malformed or Redis cannot be reached
     */
    static RedisLimits connect(String uri, String name, FetchSettings settings) {
        if (name.isBlank()) {
            throw new UsageException("--limit-name must not be empty");
        }
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new UsageException(
                    "--redis must be a Redis URI such as redis://localhost:6379 but was '" + uri + "'");
        }
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new UsageException(
                    "--redis must be a Redis URI such as redis://localhost:6379 but was '" + uri + "'");
        }
        parsed.setTimeout(CONNECT_TIMEOUT);
        RedisClient client = RedisClient.create(parsed);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(
                        SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect();
            RedisTokenBucket bucket = null;
            Rate rate = settings.rate();
            if (rate != null) {
                bucket = RedisTokenBucket.builder(connection, name)
                        .rate(rate.permits(), rate.period())
                        .burst(settings.burst())
                        .build();
            }
            RedisSemaphore permits =
                    RedisSemaphore.builder(client, name, settings.concurrency()).build();
            return new RedisLimits(client, connection, bucket, permits);
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(0, 2, TimeUnit.SECONDS);
            throw new UsageException("cannot reach Redis at " + uri + ": " + reason(e));
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    /** The shared rate limit, or {@code null} without {@code --rate}. */
    @Nullable
    RateLimiter bucket() {
        return bucket;
    }

    /** The shared concurrency limit. */
    PermitSource permits() {
        return permits;
    }

    @Override
    public void close() {
        permits.close();
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
