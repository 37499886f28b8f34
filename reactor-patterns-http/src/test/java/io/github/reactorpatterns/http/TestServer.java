package io.github.reactorpatterns.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;

/** A reactor-netty server for tests that counts the connections it accepts and holds open. */
final class TestServer implements AutoCloseable {

    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final DisposableServer server;
    private final String scheme;

    private TestServer(Consumer<? super HttpServerRoutes> routes, UnaryOperator<HttpServer> customizer, String scheme) {
        this.scheme = scheme;
        HttpServer s = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .doOnChannelInit((observer, channel, remote) -> {
                    accepted.incrementAndGet();
                    int now = open.incrementAndGet();
                    maxOpen.accumulateAndGet(now, Math::max);
                    channel.closeFuture().addListener(f -> open.decrementAndGet());
                })
                .doOnConnection(conn -> requests.incrementAndGet())
                .route(r -> {
                    routes.accept(r);
                });
        s = customizer.apply(s);
        this.server = s.bindNow();
    }

    static TestServer start(Consumer<? super HttpServerRoutes> routes) {
        return new TestServer(routes, UnaryOperator.identity(), "http");
    }

    static TestServer start(Consumer<? super HttpServerRoutes> routes, UnaryOperator<HttpServer> customizer) {
        return new TestServer(routes, customizer, "http");
    }

    int port() {
        return server.port();
    }

    String url(String path) {
        return scheme + "://127.0.0.1:" + server.port() + path;
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
