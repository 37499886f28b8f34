package io.github.reactorpatterns.test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.SslProvider;

/**
 * A scriptable HTTP server for tests, built on reactor-netty's {@link HttpServer}: the same stack a WebFlux
 * application runs on. Script the answers, run the code under test against {@link #url(String)}, then verify what
 * arrived.
 *
 * <pre>{@code
 * try (MockHttpServer server = MockHttpServer.start()) {
 *     server.enqueue(MockResponse.builder().jsonBody("{\"id\":1}").build());
 *     server.enqueue(MockResponse.builder().resetConnection().build());
 *
 *     StepVerifier.create(client.get(server.url("/users/1"))) ...
 *
 *     RecordedRequest request = server.takeRequest(Duration.ofSeconds(5));
 *     assertThat(request.path()).isEqualTo("/users/1");
 * }
 * }</pre>
 *
 * <h2>Choosing a response</h2>
 * Each request is answered by the next {@link #enqueue(MockResponse) enqueued} response (first in, first out); when
 * the queue is empty, by the {@link #route(String, String, MockResponse) route} for its method and path, if any;
 * otherwise by the {@link #dispatcher(Function) dispatcher}, which by default answers every request with the
 * {@link #defaultResponse(MockResponse) default response}: {@code 404} with an empty body. {@link #reset()} clears
 * all of this between tests that share one server. The request body is
 * read completely before the response is chosen. If a dispatcher throws or returns null, the client gets a
 * {@code 500} whose body names the exception.
 *
 * <h2>Protocols</h2>
 * {@link #start()} listens on {@code 127.0.0.1}, on a free port, for HTTP/1.1 and cleartext HTTP/2 (H2C, both by
 * prior knowledge and by {@code Upgrade: h2c}, whose request may carry a body of up to 16 MiB).
 * {@link #startTls()} listens for HTTP/1.1 and HTTP/2 over TLS (chosen by ALPN) with a self-signed certificate for
 * {@code localhost} and {@code 127.0.0.1}: clients must trust {@link #certificate()} (or use
 * {@link #clientSslContext()}), so the same server also tests that an untrusting client refuses it.
 *
 * <h2>Counters</h2>
 * {@link #requestCount()}, {@link #maxConcurrentRequests()} (a request counts from the moment its headers arrive
 * until the last byte of its response has been handed to the connection, or its connection closes), {@link #openConnections()} and
 * {@link #connectionsAccepted()} (TCP connections; HTTP/2 streams share their connection), so a test can prove a
 * concurrency limit or that a pool reuses connections.
 *
 * <h2>Threads</h2>
 * Every server runs on Netty event loops of its own (one acceptor thread and two worker threads, daemon), created by
 * the server and disposed by {@link #close()}: disposing reactor-netty's global resources
 * ({@code HttpResources.disposeLoopsAndConnections()}, as a closing Spring context does) does not affect it.
 *
 * <p>Delays run on the connection's Netty event loop in real time; {@code StepVerifier.withVirtualTime} does not
 * affect them. Faults act on the TCP connection, so on HTTP/2 they also end the other streams of that connection.
 * Clients retry on their own: reactor-netty's {@code HttpClient} resends a request once when the connection closes
 * before the response (turn it off with {@code disableRetry(true)}), and the JDK client retries an idempotent
 * request once; script faults with a dispatcher, or enqueue one fault per attempt.
 *
 * <p>Thread-safe: scripting, counters and {@link #takeRequest(Duration)} may be used from any thread while requests
 * are served. {@link #takeRequest(Duration)} and {@link #close()} block, so call them from the test thread, not
 * from a reactive pipeline.
 */
public final class MockHttpServer implements AutoCloseable {

    /** The status of the default response, sent when no response is enqueued and no dispatcher is set: {@value}. */
    public static final int DEFAULT_STATUS = 404;

    /** The bytes {@link MockResponse.Builder#malformed()} writes: a line that no HTTP client can parse. */
    static final byte[] MALFORMED_BYTES = "NOT-HTTP \u0001\u0002 garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private static final int H2C_UPGRADE_MAX_BODY = 16 * 1024 * 1024;
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final @Nullable SelfSignedTls tls;
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final ConcurrentLinkedQueue<MockResponse> responses = new ConcurrentLinkedQueue<>();
    private final Map<String, MockResponse> routes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
    private final Semaphore requestsAvailable = new Semaphore(0);
    private final AtomicInteger requestCount = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile MockResponse defaultResponse =
            MockResponse.builder().status(DEFAULT_STATUS).build();
    private volatile @Nullable Function<RecordedRequest, MockResponse> dispatcher;
    private final String loopsPrefix;
    private final LoopResources loops;
    private final DisposableServer server;

    private MockHttpServer(boolean secure) {
        this.tls = secure ? SelfSignedTls.get() : null;
        // Event loops of its own, not reactor-netty's global HttpResources: code under test that disposes the globals
        // (a closing Spring context does) must not stop the server it is tested against.
        this.loopsPrefix = "mock-http-server-" + SERVERS.incrementAndGet();
        this.loops = LoopResources.create(loopsPrefix, 1, 2, true, false);
        HttpServer http = HttpServer.create()
                .runOn(loops, false)
                .host("127.0.0.1")
                .port(0)
                .doOnChannelInit((observer, channel, remote) -> onConnection(channel))
                .handle(this::handle);
        if (tls != null) {
            SslProvider.GenericSslContextSpec<?> spec = Http2SslContextSpec.forServer(tls.key, tls.certificate);
            // A test server need not wait for the client's close_notify: closing is immediate.
            http = http.secure(ssl -> ssl.sslContext(spec)
                            .closeNotifyFlushTimeout(Duration.ofMillis(100))
                            .closeNotifyReadTimeout(Duration.ZERO))
                    .protocol(HttpProtocol.HTTP11, HttpProtocol.H2);
        } else {
            // Let an "Upgrade: h2c" request carry a body (Netty answers 413 to one by default), as the JDK client's
            // first POST does.
            http = http.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
                    .httpRequestDecoder(spec -> spec.h2cMaxContentLength(H2C_UPGRADE_MAX_BODY));
        }
        try {
            this.server = http.bindNow(BIND_TIMEOUT);
        } catch (RuntimeException e) {
            loops.disposeLater(Duration.ZERO, CLOSE_TIMEOUT).block(CLOSE_TIMEOUT);
            throw e;
        }
    }

    /**
     * Starts a plain-text server on {@code 127.0.0.1} and a free port, speaking HTTP/1.1 and H2C. Blocks until the
     * server is bound: call it from the test thread.
     *
     * @return the running server; close it when done
     */
    public static MockHttpServer start() {
        return new MockHttpServer(false);
    }

    /**
     * Starts a TLS server on {@code 127.0.0.1} and a free port, speaking HTTP/1.1 and HTTP/2 (ALPN), with a
     * self-signed certificate for {@code localhost} and {@code 127.0.0.1} that clients must be told to trust. Blocks
     * until the server is bound (the first call in a JVM also makes the certificate): call it from the test thread.
     *
     * @return the running server; close it when done
     */
    public static MockHttpServer startTls() {
        return new MockHttpServer(true);
    }

    /**
     * The absolute URL of a path on this server, such as {@code http://127.0.0.1:41234/users?page=2}.
     *
     * @param path the path, with an optional query; a missing leading {@code /} is added
     * @return the URL ({@code https} for a TLS server)
     * @throws NullPointerException if {@code path} is null
     * @throws IllegalArgumentException if the result is not a valid URI
     */
    public URI url(String path) {
        Objects.requireNonNull(path, "path");
        String p = path.startsWith("/") ? path : "/" + path;
        return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + port() + p);
    }

    /**
     * The port this server listens on.
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    /**
     * Whether this server speaks TLS (started with {@link #startTls()}).
     *
     * @return true for a TLS server
     */
    public boolean isTls() {
        return tls != null;
    }

    /**
     * The server's self-signed certificate, for clients to trust explicitly; for reactor-netty:
     * {@code HttpClient.create().secure(s -> s.sslContext(Http11SslContextSpec.forClient()
     * .configure(b -> b.trustManager(server.certificate()))))}. Every TLS server in a JVM uses the same one.
     *
     * @return the certificate
     * @throws IllegalStateException if this server was not started with {@link #startTls()}
     */
    public X509Certificate certificate() {
        return requireTls().certificate;
    }

    /**
     * A new JDK {@link SSLContext} that trusts this server's certificate and nothing else; for
     * {@code java.net.http.HttpClient.newBuilder().sslContext(server.clientSslContext())}.
     *
     * @return a new client SSL context
     * @throws IllegalStateException if this server was not started with {@link #startTls()}
     */
    public SSLContext clientSslContext() {
        return requireTls().clientContext();
    }

    /**
     * Adds a response to the end of the queue; each request takes the response at the head of the queue.
     *
     * @param response the response to send to a future request
     * @throws NullPointerException if {@code response} is null
     */
    public void enqueue(MockResponse response) {
        responses.add(Objects.requireNonNull(response, "response"));
    }

    /**
     * Answers every request with this method and path with {@code response}, for as long as no response is
     * enqueued (the queue comes first); replaces an earlier route for the same method and path. The path is matched
     * exactly, without its query string: {@code route("GET", "/users/1", ...)} answers {@code GET /users/1?x=2}
     * but not {@code GET /users/10}. Requests that match no route go to the {@link #dispatcher(Function)
     * dispatcher}.
     *
     * <pre>{@code
     * server.route("GET", "/users/1", MockResponse.builder().jsonBody("{\"id\":1}").build());
     * server.route("POST", "/users", MockResponse.of(201, "created"));
     * }</pre>
     *
     * @param method the request method, e.g. {@code "GET"}; compared ignoring case
     * @param path the path, starting with {@code /}, without a query
     * @param response the response, sent as many times as the route matches
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code path} does not start with {@code /} or has a query
     */
    public void route(String method, String path, MockResponse response) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(response, "response");
        if (!path.startsWith("/") || path.indexOf('?') >= 0) {
            throw new IllegalArgumentException("path must start with / and have no query but it was " + path);
        }
        routes.put(routeKey(method, path), response);
    }

    /**
     * Returns the server to the state it started in, for tests that share one server: clears the queue of
     * responses, the routes, the recorded requests not yet taken, and the counters ({@link #requestCount()},
     * {@link #maxConcurrentRequests()}, {@link #connectionsAccepted()}), removes the dispatcher and restores the
     * default response. Open connections stay open ({@link #openConnections()} and {@link #concurrentRequests()}
     * keep counting them); a request being served while this runs may still be recorded afterwards.
     */
    public void reset() {
        responses.clear();
        routes.clear();
        dispatcher = null;
        defaultResponse = MockResponse.builder().status(DEFAULT_STATUS).build();
        requestsAvailable.drainPermits();
        requests.clear();
        requestCount.set(0);
        maxInFlight.set(inFlight.get());
        connectionsAccepted.set(0);
    }

    /**
     * Sets the function that answers requests while the queue is empty, replacing the previous one. It runs on a
     * Netty event loop: it must not block.
     *
     * @param dispatcher chooses the response for a request; must not return null
     * @throws NullPointerException if {@code dispatcher} is null
     */
    public void dispatcher(Function<RecordedRequest, MockResponse> dispatcher) {
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    }

    /**
     * Sets the response sent when the queue is empty and no dispatcher is set (by default {@value #DEFAULT_STATUS}
     * with an empty body).
     *
     * @param response the response
     * @throws NullPointerException if {@code response} is null
     */
    public void defaultResponse(MockResponse response) {
        this.defaultResponse = Objects.requireNonNull(response, "response");
    }

    /**
     * Waits for the next request the server received (in arrival order) and removes it. Blocks the calling thread:
     * call it from the test, not from a non-blocking thread.
     *
     * @param timeout how long to wait at most
     * @return the request, or null if none arrived within {@code timeout} (or the thread was interrupted, in which
     *         case its interrupt flag is set again)
     * @throws NullPointerException if {@code timeout} is null
     */
    public @Nullable RecordedRequest takeRequest(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            if (!requestsAvailable.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return requests.poll();
    }

    /**
     * How many requests the server has received (whether or not they were answered).
     *
     * @return the count
     */
    public int requestCount() {
        return requestCount.get();
    }

    /**
     * How many requests are being served right now: received, and their response not yet fully written.
     *
     * @return the current count
     */
    public int concurrentRequests() {
        return inFlight.get();
    }

    /**
     * The largest number of requests that were being served at the same moment since the server started.
     *
     * @return the maximum
     */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    /**
     * How many TCP connections are open now.
     *
     * @return the count
     */
    public int openConnections() {
        return openConnections.get();
    }

    /**
     * How many TCP connections the server has accepted since it started; a pooling client that reuses its
     * connections keeps this low.
     *
     * @return the count
     */
    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /**
     * Closes every open connection, stops listening and disposes the server's event loops. Idempotent; blocks until
     * the server is closed (at most about twenty seconds).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel channel : new ArrayList<>(channels)) {
            closing.add(channel.close());
        }
        for (ChannelFuture future : closing) {
            long left = CLOSE_TIMEOUT.toNanos() - (System.nanoTime() - start);
            future.awaitUninterruptibly(Math.max(0, left), TimeUnit.NANOSECONDS);
        }
        try {
            server.disposeNow(CLOSE_TIMEOUT);
        } finally {
            loops.disposeLater(Duration.ZERO, CLOSE_TIMEOUT).block(CLOSE_TIMEOUT);
        }
    }

    @Override
    public String toString() {
        return "MockHttpServer{" + url("/") + ", requests=" + requestCount() + '}';
    }

    /** The name prefix of this server's event-loop threads. */
    String loopsPrefix() {
        return loopsPrefix;
    }

    private static String routeKey(String method, String path) {
        return method.toUpperCase(java.util.Locale.ROOT) + ' ' + path;
    }

    private SelfSignedTls requireTls() {
        if (tls == null) {
            throw new IllegalStateException("not a TLS server: start it with MockHttpServer.startTls()");
        }
        return tls;
    }

    private void onConnection(Channel channel) {
        if (channel instanceof Http2StreamChannel) {
            return;
        }
        connectionsAccepted.incrementAndGet();
        openConnections.incrementAndGet();
        channels.add(channel);
        channel.closeFuture().addListener(f -> {
            channels.remove(channel);
            openConnections.decrementAndGet();
        });
        if (closed.get()) {
            channel.close();
        }
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        Channel[] holder = new Channel[1];
        response.withConnection(connection -> holder[0] = connection.channel());
        Channel stream = holder[0];
        Channel tcp = stream instanceof Http2StreamChannel ? stream.parent() : stream;
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        AtomicBoolean done = new AtomicBoolean();
        // Ends the request's count once: when the last byte of its response has been handed to the connection (the
        // client cannot have seen the response end before that, so a request it sends next is never counted beside
        // this one), or when the exchange ends otherwise (a fault, a cancel, a closed connection).
        Runnable ended = () -> {
            if (done.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        };
        return request.receive()
                .aggregate()
                .asByteArray()
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> {
                    RecordedRequest recorded = record(request, body);
                    return respond(response, choose(recorded), stream, tcp, ended);
                })
                .doFinally(signal -> ended.run());
    }

    private RecordedRequest record(HttpServerRequest request, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.requestHeaders()
                .forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>())
                        .add(h.getValue()));
        RecordedRequest recorded = new RecordedRequest(
                request.method().name(),
                request.uri(),
                headers,
                body,
                request.version().text(),
                requestCount.getAndIncrement());
        requests.add(recorded);
        requestsAvailable.release();
        return recorded;
    }

    private MockResponse choose(RecordedRequest request) {
        MockResponse next = responses.poll();
        if (next != null) {
            return next;
        }
        if (!routes.isEmpty()) {
            MockResponse routed = routes.get(routeKey(request.method(), request.path()));
            if (routed != null) {
                return routed;
            }
        }
        Function<RecordedRequest, MockResponse> d = dispatcher;
        if (d == null) {
            return defaultResponse;
        }
        try {
            return Objects.requireNonNull(d.apply(request), "dispatcher returned null");
        } catch (RuntimeException e) {
            return MockResponse.builder()
                    .status(500)
                    .body("MockHttpServer dispatcher failed: " + e)
                    .build();
        }
    }

    private Mono<Void> respond(
            HttpServerResponse response, MockResponse m, Channel stream, Channel tcp, Runnable ended) {
        return delay(stream, m.headersDelay).then(Mono.defer(() -> {
            switch (m.fault) {
                case DISCONNECT_BEFORE_RESPONSE:
                    return close(tcp);
                case RESET_CONNECTION:
                    tcp.config().setOption(ChannelOption.SO_LINGER, 0);
                    return close(tcp);
                case NO_RESPONSE:
                    return Mono.never();
                case MALFORMED:
                    writeRaw(tcp, MALFORMED_BYTES);
                    return Mono.never();
                case DISCONNECT_DURING_BODY:
                    headers(response, m, m.body.length);
                    int n = Math.min(m.faultAfterBytes, m.body.length);
                    Mono<ByteBuf> part = Mono.fromSupplier(() -> Unpooled.wrappedBuffer(m.body, 0, n));
                    return response.send(part, b -> true).then().then(close(tcp));
                default:
                    return deliver(response, m, stream, ended);
            }
        }));
    }

    private static Mono<Void> deliver(HttpServerResponse response, MockResponse m, Channel stream, Runnable ended) {
        Publisher<ByteBuf> body;
        if (m.streamLines) {
            headers(response, m, -1);
            body = Flux.range(0, m.lines.size())
                    .concatMap(i -> (i == 0 ? Mono.<Void>empty() : delay(stream, m.lineDelay))
                            .then(Mono.fromSupplier(() ->
                                    Unpooled.wrappedBuffer((m.lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8)))));
        } else if (m.throttleBytes > 0 && m.body.length > 0) {
            headers(response, m, m.body.length);
            int pieces = (m.body.length + m.throttleBytes - 1) / m.throttleBytes;
            body = Flux.range(0, pieces)
                    .concatMap(i -> (i == 0 ? Mono.<Void>empty() : delay(stream, m.throttlePeriod))
                            .then(Mono.fromSupplier(() -> {
                                int from = i * m.throttleBytes;
                                return Unpooled.wrappedBuffer(
                                        m.body, from, Math.min(m.throttleBytes, m.body.length - from));
                            })));
        } else {
            headers(response, m, m.body.length);
            body = m.body.length == 0 ? Mono.empty() : Mono.fromSupplier(() -> Unpooled.wrappedBuffer(m.body));
        }
        body = Flux.from(body).doOnComplete(ended);
        if (m.bodyDelay.isZero()) {
            return response.send(body, b -> true).then();
        }
        return response.sendHeaders()
                .then(delay(stream, m.bodyDelay))
                .send(body, b -> true)
                .then();
    }

    private static void headers(HttpServerResponse response, MockResponse m, long contentLength) {
        response.status(m.status);
        m.headers.forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        boolean bodiless = m.status < 200 || m.status == 204 || m.status == 304;
        if (contentLength >= 0 && !bodiless && !m.headers.containsKey("content-length")) {
            response.header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(contentLength));
        }
    }

    private static Mono<Void> delay(Channel channel, Duration delay) {
        if (delay.isZero()) {
            return Mono.empty();
        }
        return Mono.create(sink -> {
            ScheduledFuture<?> timer =
                    channel.eventLoop().schedule(() -> sink.success(), delay.toNanos(), TimeUnit.NANOSECONDS);
            sink.onCancel(() -> timer.cancel(false));
        });
    }

    private static Mono<Void> close(Channel tcp) {
        return Mono.create(sink -> tcp.close().addListener(f -> sink.success()));
    }

    /** Writes bytes below the HTTP codec (but above TLS, if any), so they reach the client as they are. */
    private static void writeRaw(Channel tcp, byte[] bytes) {
        ChannelHandlerContext ssl = tcp.pipeline().context(SslHandler.class);
        ChannelHandlerContext from = null;
        if (ssl == null) {
            from = tcp.pipeline().firstContext();
        } else {
            boolean afterSsl = false;
            for (Map.Entry<String, ChannelHandler> e : tcp.pipeline()) {
                if (afterSsl) {
                    from = tcp.pipeline().context(e.getKey());
                    break;
                }
                afterSsl = e.getValue() instanceof SslHandler;
            }
        }
        if (from == null) {
            tcp.close();
            return;
        }
        from.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }
}
