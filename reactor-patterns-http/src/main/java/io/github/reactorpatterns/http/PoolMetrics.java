package io.github.reactorpatterns.http;

/**
 * A snapshot of a {@link PooledHttpClient}'s connection pools, summed over every remote address.
 *
 * <p>After all requests have completed, failed or been cancelled, {@code acquired} and {@code pending} are 0: a
 * non-zero {@code acquired} at rest is a leaked connection.
 *
 * @param acquired connections currently lent to a request
 * @param idle connections open and waiting in the pool for the next request
 * @param pending requests waiting for a connection
 * @param allocated connections open in total (acquired plus idle)
 */
public record PoolMetrics(int acquired, int idle, int pending, int allocated) {}
