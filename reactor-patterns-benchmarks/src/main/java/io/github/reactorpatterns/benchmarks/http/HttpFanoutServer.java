package io.github.reactorpatterns.benchmarks.http;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The server side of the fan-out benchmark, run in its own JVM so that it does not share the client's heap, JIT or
 * event loops: a reactor-netty server answering every GET with the same small JSON body over keep-alive
 * connections. Prints {@code PORT <n>} when ready. Usage: {@code java -cp benchmarks.jar
 * io.github.reactorpatterns.benchmarks.http.HttpFanoutServer [port]}.
 */
public final class HttpFanoutServer {

    /** The body every request gets: a small JSON object, as a typical API item. */
    static final byte[] BODY = "{\"id\":42,\"name\":\"ada\",\"email\":\"ada@example.com\",\"tags\":[\"a\",\"b\",\"c\"]}"
            .getBytes(StandardCharsets.UTF_8);

    private HttpFanoutServer() {}

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .handle((req, res) -> res.header("Content-Type", "application/json")
                        .header("Content-Length", Integer.toString(BODY.length))
                        .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(BODY))))
                .bindNow();
        System.out.println("PORT " + server.port());
        System.out.flush();
        server.onDispose().block();
    }
}
