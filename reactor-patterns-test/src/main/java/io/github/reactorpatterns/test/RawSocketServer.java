package io.github.reactorpatterns.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

/**
 * A hostile TCP server for tests, on plain blocking sockets: each accepted connection is handed to a
 * {@link Handler} on a thread of its own, which may read and write whatever bytes it likes, as slowly as it likes.
 * Use it where {@link MockHttpServer} is too well-behaved: a server that drips its status line one byte at a time,
 * sends a short {@code Content-Length} followed by garbage, answers with a stream of {@code 1xx} responses, or never
 * answers a TLS ClientHello.
 *
 * <pre>{@code
 * try (RawSocketServer server = RawSocketServer.start(conn -> {
 *     conn.readRequestHead();
 *     conn.drip("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Duration.ofMillis(200));
 *     conn.hold();
 * })) {
 *     client.get(server.url("/")).text() ...
 *     assertThat(server.connectionsAccepted()).isEqualTo(1);
 * }
 * }</pre>
 *
 * <p>The server listens on {@code 127.0.0.1} on a free port. Handlers run on dedicated daemon threads (never on an
 * event loop), so blocking is what they are for. When a handler returns, its connection is closed; when it throws,
 * the connection is closed too and the exception is kept for {@link #handlerFailures()}. {@link #close()} stops
 * accepting, closes every connection (which ends any handler blocked on its socket) and waits for the handler
 * threads to end.
 *
 * <p>Thread-safe: counters and {@link #close()} may be used from any thread.
 */
public final class RawSocketServer implements AutoCloseable {

    /** How long {@link #close()} waits for the handler threads to end: 10 s. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private static final AtomicInteger SERVERS = new AtomicInteger();

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Serves one connection on a thread of its own; the connection is closed when this returns or throws.
         *
         * @param connection the accepted connection
         * @throws Exception any failure; it closes the connection and is recorded
         */
        void handle(Connection connection) throws Exception;
    }

    private final ServerSocket serverSocket;
    private final Handler handler;
    private final boolean tls;
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final int id = SERVERS.incrementAndGet();

    private RawSocketServer(ServerSocket serverSocket, Handler handler, boolean tls) {
        this.serverSocket = serverSocket;
        this.handler = handler;
        this.tls = tls;
        this.acceptor = new Thread(this::acceptLoop, "raw-socket-server-" + id + "-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /**
     * Starts a plain TCP server on {@code 127.0.0.1} and a free port.
     *
     * @param handler serves each accepted connection, on a thread of its own
     * @return the running server; close it when done
     * @throws NullPointerException if {@code handler} is null
     * @throws IllegalStateException if the server socket cannot be bound
     */
    public static RawSocketServer start(Handler handler) {
        Objects.requireNonNull(handler, "handler");
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new RawSocketServer(socket, handler, false);
        } catch (IOException e) {
            throw new IllegalStateException("could not bind a server socket on the loopback address", e);
        }
    }

    /**
     * Starts a TLS server on {@code 127.0.0.1} and a free port; the handshake runs on the connection's own thread
     * when the handler first reads or writes (a handler that never touches the socket never answers the
     * ClientHello: use {@link #start(Handler)} for that).
     *
     * @param serverContext the server's TLS context, with its key and certificate
     * @param handler serves each accepted connection, on a thread of its own
     * @return the running server; close it when done
     * @throws NullPointerException if {@code serverContext} or {@code handler} is null
     * @throws IllegalStateException if the server socket cannot be bound
     */
    public static RawSocketServer startTls(SSLContext serverContext, Handler handler) {
        Objects.requireNonNull(serverContext, "serverContext");
        Objects.requireNonNull(handler, "handler");
        try {
            ServerSocket socket = serverContext.getServerSocketFactory().createServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new RawSocketServer(socket, handler, true);
        } catch (IOException e) {
            throw new IllegalStateException("could not bind a TLS server socket on the loopback address", e);
        }
    }

    /**
     * The port this server listens on.
     *
     * @return the port
     */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /**
     * The absolute URL of a path on this server, such as {@code http://127.0.0.1:41234/users}.
     *
     * @param path the path, with an optional query; a missing leading {@code /} is added
     * @return the URL ({@code https} for a server started with {@link #startTls(SSLContext, Handler)})
     * @throws NullPointerException if {@code path} is null
     */
    public URI url(String path) {
        Objects.requireNonNull(path, "path");
        String p = path.startsWith("/") ? path : "/" + path;
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port() + p);
    }

    /**
     * How many TCP connections the server has accepted since it started.
     *
     * @return the count
     */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /**
     * How many connections are open now (accepted and not yet closed by the handler or by {@link #close()}).
     *
     * @return the count
     */
    public int openConnections() {
        return sockets.size();
    }

    /**
     * The exceptions handlers threw, in the order they were thrown (a handler that ends because the client or
     * {@link #close()} closed its socket is not counted).
     *
     * @return a snapshot of the failures
     */
    public List<Throwable> handlerFailures() {
        return List.copyOf(failures);
    }

    /**
     * Stops accepting, closes every open connection and waits (at most {@link #CLOSE_TIMEOUT}) for the handler
     * threads to end. Idempotent. Blocks: call it from the test thread.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(serverSocket);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        all.add(acceptor);
        for (Thread t : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "RawSocketServer{" + url("/") + ", accepted=" + connectionsAccepted() + '}';
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            int index = accepted.getAndIncrement();
            sockets.add(socket);
            Thread t = new Thread(() -> serve(socket, index), "raw-socket-server-" + id + "-conn-" + index);
            t.setDaemon(true);
            synchronized (threads) {
                threads.add(t);
            }
            if (closed.get()) {
                closeQuietly(socket);
            }
            t.start();
        }
    }

    private void serve(Socket socket, int index) {
        try (socket) {
            handler.handle(new Connection(socket, index));
        } catch (SocketException | java.io.EOFException e) {
            // The client or close() closed the connection: the usual way for a hostile handler to end.
        } catch (Exception | Error e) {
            if (!closed.get() || !(e instanceof IOException)) {
                failures.add(e);
            }
        } finally {
            sockets.remove(socket);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * One accepted connection, with helpers to read an HTTP request and to write bytes as a hostile server would.
     * Used only by the handler's own thread.
     */
    public static final class Connection {

        private final Socket socket;
        private final int index;
        private final InputStream in;
        private final OutputStream out;

        Connection(Socket socket, int index) throws IOException {
            this.socket = socket;
            this.index = index;
            socket.setTcpNoDelay(true);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /**
         * The accepted socket.
         *
         * @return the socket
         */
        public Socket socket() {
            return socket;
        }

        /**
         * The socket's input stream.
         *
         * @return the stream the client's bytes arrive on
         */
        public InputStream in() {
            return in;
        }

        /**
         * The socket's output stream.
         *
         * @return the stream to the client
         */
        public OutputStream out() {
            return out;
        }

        /**
         * The number of this connection: 0 for the first one the server accepted, 1 for the next, and so on.
         *
         * @return the index
         */
        public int index() {
            return index;
        }

        /**
         * Reads up to and including the blank line that ends a request's head (request line and headers).
         *
         * @return the head, in ISO-8859-1, without the final blank line
         * @throws java.io.EOFException if the client closes the connection first
         * @throws IOException if reading fails
         */
        public String readRequestHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    throw new java.io.EOFException("connection closed before the end of the request head");
                }
                head.write(b);
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            byte[] bytes = head.toByteArray();
            return new String(bytes, 0, bytes.length - end.length, StandardCharsets.ISO_8859_1);
        }

        /**
         * Reads a whole request: its head and, when it has a {@code Content-Length}, its body (chunked request bodies
         * are not supported).
         *
         * @return the request head followed by a blank line and the body, in ISO-8859-1
         * @throws java.io.EOFException if the client closes the connection first
         * @throws IOException if reading fails
         */
        public String readRequest() throws IOException {
            String head = readRequestHead();
            long length = 0;
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0
                        && line.substring(0, colon)
                                .trim()
                                .toLowerCase(Locale.ROOT)
                                .equals("content-length")) {
                    length = Long.parseLong(line.substring(colon + 1).trim());
                }
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new java.io.EOFException("connection closed before the end of the request body");
            }
            return head + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1);
        }

        /**
         * Writes bytes at once and flushes.
         *
         * @param bytes the bytes
         * @throws IOException if writing fails
         */
        public void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /**
         * Writes text, encoded as ISO-8859-1 (so any byte can be written), at once and flushes.
         *
         * @param text the text, e.g. {@code "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}
         * @throws IOException if writing fails
         */
        public void send(String text) throws IOException {
            send(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        /**
         * Writes text one byte at a time, flushing each byte and pausing {@code between} after it (also after the
         * last one).
         *
         * @param text the text, encoded as ISO-8859-1
         * @param between the pause after each byte
         * @throws IOException if writing fails (typically: the client gave up and closed the connection)
         * @throws InterruptedException if the thread is interrupted while pausing
         */
        public void drip(String text, Duration between) throws IOException, InterruptedException {
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                pause(between);
            }
        }

        /**
         * Holds the connection open without writing until the client closes it (reading and discarding whatever it
         * sends) or the server is closed.
         *
         * @throws IOException if reading fails other than by the connection closing
         */
        public void hold() throws IOException {
            byte[] buffer = new byte[8192];
            try {
                while (in.read(buffer) >= 0) {
                    // discard
                }
            } catch (SocketException e) {
                // closed
            }
        }

        /**
         * Waits until the client closes the connection (or the server is closed) or {@code timeout} passes,
         * reading and discarding whatever the client sends.
         *
         * @param timeout how long to wait at most
         * @return true if the connection was closed, false if the time ran out first
         * @throws IOException if reading fails other than by the connection closing or the time running out
         */
        public boolean awaitClose(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buffer = new byte[8192];
            try {
                while (true) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        return false;
                    }
                    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                    if (in.read(buffer) < 0) {
                        return true;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            } finally {
                if (!socket.isClosed()) {
                    socket.setSoTimeout(0);
                }
            }
        }

        private static void pause(Duration d) throws InterruptedException {
            if (!d.isZero() && !d.isNegative()) {
                // A dedicated thread, never an event loop: pausing the thread is the point.
                Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
            }
        }

        @Override
        public String toString() {
            return "Connection#" + index + "{" + socket.getRemoteSocketAddress() + '}';
        }
    }
}
