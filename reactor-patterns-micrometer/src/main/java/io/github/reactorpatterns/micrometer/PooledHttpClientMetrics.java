package io.github.reactorpatterns.micrometer;

import java.util.Objects;

import io.github.reactorpatterns.http.PooledHttpClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer gauges for one {@link PooledHttpClient}'s connection pools, from {@link PooledHttpClient#poolMetrics()}
 * (summed over every remote host).
 *
 * <pre>{@code
 * PooledHttpClient client = PooledHttpClient.builder().name("inventory").nettyMetrics(true).build();
 * PooledHttpClientMetrics.of("inventory", client).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code name}, plus the extra tags)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #ACQUIRED}</td><td>gauge</td><td>connections lent to a request now</td></tr>
 *   <tr><td>{@value #IDLE}</td><td>gauge</td><td>connections open and idle in the pool</td></tr>
 *   <tr><td>{@value #PENDING}</td><td>gauge</td><td>requests waiting for a connection</td></tr>
 *   <tr><td>{@value #ALLOCATED}</td><td>gauge</td><td>connections open in total</td></tr>
 * </table>
 *
 * <p>Requests, their status, timings and bytes are measured by reactor-netty's own meters
 * ({@code reactor.netty.http.client.*}, and its per-host pool gauges {@code reactor.netty.connection.provider.*}),
 * which {@link PooledHttpClient.Builder#nettyMetrics(boolean)} turns on; retries by a {@link RetryPolicyMetrics}
 * given to {@link PooledHttpClient.Builder#onRetry} (the default policy) or installed on the policy given to
 * {@link PooledHttpClient.Builder#retry}. The binder holds the client weakly, as Micrometer gauges do.
 * Thread-safe.
 */
public final class PooledHttpClientMetrics implements MeterBinder {

    /** Gauge of connections lent to a request. */
    public static final String ACQUIRED = "reactor.patterns.http.pool.acquired";
    /** Gauge of idle pooled connections. */
    public static final String IDLE = "reactor.patterns.http.pool.idle";
    /** Gauge of requests waiting for a connection. */
    public static final String PENDING = "reactor.patterns.http.pool.pending";
    /** Gauge of open connections. */
    public static final String ALLOCATED = "reactor.patterns.http.pool.allocated";

    private final Tags tags;
    private final PooledHttpClient client;

    private PooledHttpClientMetrics(Tags tags, PooledHttpClient client) {
        this.tags = tags;
        this.client = client;
    }

    /**
     * Creates a binder for {@code client} whose meters carry {@code name=<name>}.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param client the client to observe
     * @return a new binder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static PooledHttpClientMetrics of(String name, PooledHttpClient client) {
        return of(name, client, Tags.empty());
    }

    /**
     * Like {@link #of(String, PooledHttpClient)}, with extra tags on every meter.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param client the client to observe
     * @param tags extra tags
     * @return a new binder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static PooledHttpClientMetrics of(String name, PooledHttpClient client, Iterable<Tag> tags) {
        Tags all = MetricTags.of(name, tags);
        return new PooledHttpClientMetrics(all, Objects.requireNonNull(client, "client"));
    }

    /**
     * Registers the gauges in {@code registry}. May be called for several registries.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Gauge.builder(ACQUIRED, client, c -> c.poolMetrics().acquired())
                .tags(tags)
                .baseUnit("connections")
                .description("Connections lent to a request")
                .register(registry);
        Gauge.builder(IDLE, client, c -> c.poolMetrics().idle())
                .tags(tags)
                .baseUnit("connections")
                .description("Connections open and idle in the pool")
                .register(registry);
        Gauge.builder(PENDING, client, c -> c.poolMetrics().pending())
                .tags(tags)
                .description("Requests waiting for a connection")
                .register(registry);
        Gauge.builder(ALLOCATED, client, c -> c.poolMetrics().allocated())
                .tags(tags)
                .baseUnit("connections")
                .description("Connections open in total")
                .register(registry);
    }

    @Override
    public String toString() {
        return "PooledHttpClientMetrics" + tags;
    }
}
