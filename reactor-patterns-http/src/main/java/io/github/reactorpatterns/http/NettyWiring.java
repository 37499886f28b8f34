package io.github.reactorpatterns.http;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.net.ssl.SSLParameters;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.SslProvider;

/**
 * The reactor-netty side of a {@link PooledHttpClient}: its connection pool, its {@link HttpClient} (timeouts, guards,
 * protocol, TLS, default headers, metrics) and the registrar that collects the pool metrics.
 */
final class NettyWiring {

    private NettyWiring() {}

    /**
     * A named pool with the client's limits; its per-host metrics go to {@code pools} (and to reactor-netty's
     * Micrometer gauges with {@code nettyMetrics}).
     */
    static ConnectionProvider provider(Settings s, Map<String, ConnectionPoolMetrics> pools) {
        return ConnectionProvider.builder(s.name())
                .maxConnections(s.maxConnections())
                .pendingAcquireMaxCount(s.pendingAcquireMaxCount())
                .pendingAcquireTimeout(s.pendingAcquireTimeout())
                .maxIdleTime(s.maxIdleTime())
                .maxLifeTime(s.maxLifeTime())
                .evictInBackground(s.evictionInterval())
                .metrics(true, () -> new Registrar(pools, s.nettyMetrics()))
                .build();
    }

    /** The reactor-netty client on {@code provider}, configured from {@code s}. */
    static HttpClient client(ConnectionProvider provider, Settings s) {
        List<NameValue> defaults = s.defaultHeaders();
        HttpClient c = HttpClient.create(provider)
                .disableRetry(true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, s.connectTimeout().toMillis()))
                // Not reactor-netty's responseTimeout, an idle timer that restarts on every byte: ResponseGuard times
                // the wait for the final headers with one fixed timer, skips 1xx interim responses, then times the
                // silences between reads of the body; ConnectionGuard keeps connections with stray bytes out of the
                // pool.
                .doOnRequest((request, connection) -> ResponseGuard.install(connection, s))
                .headers(h -> {
                    for (NameValue kv : defaults) {
                        h.add(kv.name(), kv.value());
                    }
                });
        c = switch (s.protocol()) {
            case H2 -> c.protocol(HttpProtocol.H2, HttpProtocol.HTTP11);
            case H2C -> c.protocol(HttpProtocol.H2C);
            case HTTP_1_1 -> c.protocol(HttpProtocol.HTTP11);
        };
        if (s.trustAll() || s.trustedCertificates() != null || s.protocol() == PooledHttpClient.Protocol.H2) {
            c = c.secure(sslSpec(s));
        }
        // https URLs get TLS even without explicit settings: the handshake shares connectTimeout with the TCP connect.
        c = c.doOnChannelInit((observer, channel, remote) -> TlsHandshakeBudget.install(channel, s.connectTimeout()));
        if (s.nettyMetrics()) {
            c = c.metrics(true, s.uriTagValue());
        }
        // Redirects are followed by Redirects, hop by hop, under the origin rule; never by reactor-netty.
        return c.followRedirect(false);
    }

    @SuppressWarnings("deprecation") // sslContext(ProtocolSslContextSpec): the protocol specs configure ALPN for us
    private static Consumer<SslProvider.SslContextSpec> sslSpec(Settings s) {
        X509Certificate[] pinned = s.trustedCertificates();
        Consumer<SslContextBuilder> trust = b -> {
            if (s.trustAll()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (pinned != null) {
                // Not trustManager(X509Certificate...): PKIX never checks a trust anchor's dates, so an expired
                // pinned certificate would be accepted.
                b.trustManager(PinnedTrustManager.of(pinned));
            }
        };
        return spec -> {
            SslProvider.Builder b = s.protocol() == PooledHttpClient.Protocol.H2
                    ? spec.sslContext(Http2SslContextSpec.forClient().configure(trust))
                    : spec.sslContext(Http11SslContextSpec.forClient().configure(trust));
            if (s.trustAll()) {
                b.handlerConfigurator(handler -> {
                    SSLParameters params = handler.engine().getSSLParameters();
                    params.setEndpointIdentificationAlgorithm(null);
                    handler.engine().setSSLParameters(params);
                });
            }
        };
    }

    /**
     * Collects reactor-netty's per-host pool metrics for {@link PooledHttpClient#poolMetrics()}. A registrar of our
     * own replaces reactor-netty's Micrometer one, so with {@code nettyMetrics} it also registers reactor-netty's pool
     * gauges.
     */
    private static final class Registrar implements ConnectionProvider.MeterRegistrar {

        private final Map<String, ConnectionPoolMetrics> pools;
        private final boolean nettyMetrics;

        Registrar(Map<String, ConnectionPoolMetrics> pools, boolean nettyMetrics) {
            this.pools = pools;
            this.nettyMetrics = nettyMetrics;
        }

        @Override
        public void registerMetrics(
                String poolName, String id, SocketAddress remoteAddress, ConnectionPoolMetrics metrics) {
            pools.put(id + '|' + remoteAddress, metrics);
            if (nettyMetrics) {
                NettyPoolMeters.register(poolName, id, remoteAddress, metrics);
            }
        }

        @Override
        public void deRegisterMetrics(String poolName, String id, SocketAddress remoteAddress) {
            pools.remove(id + '|' + remoteAddress);
            if (nettyMetrics) {
                NettyPoolMeters.deRegister(poolName, id, remoteAddress);
            }
        }
    }
}
