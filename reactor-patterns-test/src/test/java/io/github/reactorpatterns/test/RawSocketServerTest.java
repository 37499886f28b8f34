package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RawSocketServerTest {

    private static Socket connect(RawSocketServer server) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void readsARequestAndSendsRawBytes() throws Exception {
        try (RawSocketServer server = RawSocketServer.start(conn -> {
                    String request = conn.readRequest();
                    conn.send("HTTP/1.1 200 OK\r\nContent-Length: " + request.length() + "\r\n\r\n" + request);
                });
                Socket socket = connect(server)) {
            OutputStream out = socket.getOutputStream();
            out.write(
                    "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response)
                    .startsWith("HTTP/1.1 200 OK\r\n")
                    .endsWith("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(server.url("/a")).hasToString("http://127.0.0.1:" + server.port() + "/a");
            assertThat(server.connectionsAccepted()).isEqualTo(1);
            assertThat(server.handlerFailures()).isEmpty();
        }
    }

    @Test
    void dripsOneByteAtATime() throws Exception {
        try (RawSocketServer server = RawSocketServer.start(conn -> conn.drip("abc", Duration.ofMillis(50)));
                Socket socket = connect(server)) {
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            assertThat(in.read()).isEqualTo('a');
            assertThat(in.read()).isEqualTo('b');
            assertThat(in.read()).isEqualTo('c');
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(90));
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void holdKeepsTheConnectionUntilCloseAndCountsConnections() throws Exception {
        CountDownLatch holding = new CountDownLatch(2);
        RawSocketServer server = RawSocketServer.start(conn -> {
            holding.countDown();
            conn.hold();
        });
        Socket a = connect(server);
        Socket b = connect(server);
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.connectionsAccepted()).isEqualTo(2);
        assertThat(server.openConnections()).isEqualTo(2);
        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1);

        server.close();
        assertThat(b.getInputStream().read()).isEqualTo(-1);
        assertThat(server.openConnections()).isZero();
        b.close();
        server.close(); // idempotent
    }

    @Test
    void awaitCloseSeesTheClientClose() throws Exception {
        CountDownLatch result = new CountDownLatch(1);
        boolean[] closed = new boolean[1];
        try (RawSocketServer server = RawSocketServer.start(conn -> {
            closed[0] = conn.awaitClose(Duration.ofSeconds(10));
            result.countDown();
        })) {
            connect(server).close();
            assertThat(result.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(closed[0]).isTrue();
        }
    }

    @Test
    void handlerFailuresAreRecorded() throws Exception {
        try (RawSocketServer server = RawSocketServer.start(conn -> {
                    throw new IllegalStateException("boom");
                });
                Socket socket = connect(server)) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !server.handlerFailures().isEmpty());
            assertThat(server.handlerFailures())
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .isEqualTo("boom");
        }
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> RawSocketServer.start(null))
                .withMessage("handler");
        assertThatNullPointerException()
                .isThrownBy(() -> RawSocketServer.startTls(null, conn -> {}))
                .withMessage("serverContext");
    }
}
