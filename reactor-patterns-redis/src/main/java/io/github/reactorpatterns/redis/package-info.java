/**
 * The limit and queue contracts of reactor-patterns shared by many processes through Redis, on Lettuce's reactive
 * API: {@link io.github.reactorpatterns.redis.RedisTokenBucket} (a
 * {@link io.github.reactorpatterns.limit.RateLimiter} for the whole fleet),
 * {@link io.github.reactorpatterns.redis.RedisSemaphore} (a {@link io.github.reactorpatterns.limit.PermitSource}
 * whose permits carry a lease, so a crashed holder never keeps them) and
 * {@link io.github.reactorpatterns.redis.RedisWorkQueue} (an at-least-once work queue on a Redis Stream).
 *
 * <p>Every decision about shared state is one Lua script timed by the Redis server's clock ({@code TIME}), never a
 * client's; every wait is local to the process (a timer on the caller's {@code Scheduler}), first come first served
 * and cancellation-safe, as in the local classes. Keys are hash-tagged ({@code {name}:...}) so that the keys of one
 * primitive live in one Redis Cluster slot.
 *
 * <p>Connections: build Lettuce clients with {@code ClientOptions.disconnectedBehavior(REJECT_COMMANDS)} so that a
 * command issued while Redis is unreachable fails at once instead of being queued and sent, late, after the
 * reconnect.
 */
@NullMarked
package io.github.reactorpatterns.redis;

import org.jspecify.annotations.NullMarked;
