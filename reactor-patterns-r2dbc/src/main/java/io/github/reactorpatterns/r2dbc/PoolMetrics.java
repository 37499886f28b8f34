package io.github.reactorpatterns.r2dbc;

/**
 * A snapshot of a {@link Database}'s connection pool.
 *
 * <p>After every query and transaction has completed, failed or been cancelled (and its cleanup has run),
 * {@code acquired} and {@code pending} are 0: a non-zero {@code acquired} at rest is a leaked connection.
 *
 * @param acquired connections currently lent to a query or transaction
 * @param idle connections open and waiting in the pool
 * @param pending callers waiting for a connection
 * @param allocated connections open in total (acquired plus idle)
 * @param maxSize the most connections the pool opens
 * @param maxPending the most callers that may wait for a connection at once
 */
public record PoolMetrics(int acquired, int idle, int pending, int allocated, int maxSize, int maxPending) {}
