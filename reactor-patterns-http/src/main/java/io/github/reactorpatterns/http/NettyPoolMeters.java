package io.github.reactorpatterns.http;

import java.net.SocketAddress;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import reactor.netty.Metrics;
import reactor.netty.resources.ConnectionPoolMetrics;

/**
 * The connection pool gauges that reactor-netty registers when a {@code ConnectionProvider} has metrics enabled and
 * no registrar of its own: same names, tags and registry. {@link PooledHttpClient} needs its own registrar (for
 * {@link PooledHttpClient#poolMetrics()}), and with one reactor-netty registers nothing, so this puts its gauges
 * back. Loaded only when {@code nettyMetrics} is on: the only class of this module that needs Micrometer.
 */
final class NettyPoolMeters {

    private static final String PREFIX = Metrics.CONNECTION_PROVIDER_PREFIX;

    private NettyPoolMeters() {}

    static void register(String poolName, String id, SocketAddress remoteAddress, ConnectionPoolMetrics metrics) {
        Tags tags = tags(poolName, id, remoteAddress);
        MeterRegistry registry = Metrics.REGISTRY;
        gauge(registry, Metrics.TOTAL_CONNECTIONS, tags, metrics, ConnectionPoolMetrics::allocatedSize);
        gauge(registry, Metrics.ACTIVE_CONNECTIONS, tags, metrics, ConnectionPoolMetrics::acquiredSize);
        gauge(registry, Metrics.IDLE_CONNECTIONS, tags, metrics, ConnectionPoolMetrics::idleSize);
        gauge(registry, Metrics.PENDING_CONNECTIONS, tags, metrics, ConnectionPoolMetrics::pendingAcquireSize);
        gauge(registry, Metrics.MAX_CONNECTIONS, tags, metrics, ConnectionPoolMetrics::maxAllocatedSize);
        gauge(registry, Metrics.MAX_PENDING_CONNECTIONS, tags, metrics, ConnectionPoolMetrics::maxPendingAcquireSize);
    }

    static void deRegister(String poolName, String id, SocketAddress remoteAddress) {
        Tags tags = tags(poolName, id, remoteAddress);
        for (String name : new String[] {
            Metrics.TOTAL_CONNECTIONS,
            Metrics.ACTIVE_CONNECTIONS,
            Metrics.IDLE_CONNECTIONS,
            Metrics.PENDING_CONNECTIONS,
            Metrics.MAX_CONNECTIONS,
            Metrics.MAX_PENDING_CONNECTIONS
        }) {
            Metrics.REGISTRY.remove(new Meter.Id(PREFIX + name, tags, null, null, Meter.Type.GAUGE));
        }
    }

    private static Tags tags(String poolName, String id, SocketAddress remoteAddress) {
        return Tags.of(
                Metrics.ID,
                id,
                Metrics.REMOTE_ADDRESS,
                Metrics.formatSocketAddress(remoteAddress),
                Metrics.NAME,
                poolName);
    }

    private static void gauge(
            MeterRegistry registry,
            String name,
            Tags tags,
            ConnectionPoolMetrics metrics,
            ToDoubleFunction<ConnectionPoolMetrics> value) {
        // held strongly: reactor-netty hands each registrar a fresh wrapper of the pool's metrics
        Gauge.builder(PREFIX + name, metrics, value)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }
}
