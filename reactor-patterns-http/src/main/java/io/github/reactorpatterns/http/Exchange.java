package io.github.reactorpatterns.http;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Predicate;

import javax.net.ssl.SSLException;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.limit.SemaphoreFullException;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.stream.ByteStreams;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.handler.timeout.WriteTimeoutHandler;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.context.ContextView;
import reactor.util.retry.Retry;

/** The request pipeline behind {@link HttpRequestSpec}'s terminals: one attempt, its timeouts and its body. */
final class Exchange {

    /** The statuses a retry policy may retry: too many requests, bad gateway, unavailable, gateway timeout. */
    static final Set<Integer> RETRY_STATUSES = Set.of(429, 502, 503, 504);

    private static final byte[] EMPTY = new byte[0];

    private static final String WRITE_TIMEOUT_HANDLER = "reactorPatterns.writeTimeout";

    private Exchange() {
    }

    /** A response read whole: what one attempt of an aggregating terminal produces. */
    static final class Raw {
        final int status;
        final HttpHeaders headers;
        final String url;
        final byte[] body;

        Raw(int status, HttpHeaders headers, String url, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.url = url;
            this.body = body;
        }
    }

    static Mono<HttpResult> aggregate(PooledHttpClient client, HttpRequestSpec spec, boolean raise) {
        if (isIdempotent(spec.method()) && client.retryPolicy != RetryPolicy.none()) {
            return aggregateWithRetry(client, spec, raise);
        }
        // One attempt: the same steps as below with fewer operators (this is the hot path of a fan-out).
        return Mono.deferContextual(ctx -> {
            Throwable expired = expired(ctx);
            if (expired != null) {
                return Mono.error(expired);
            }
            long start = System.nanoTime();
            String method = spec.method();
            String uri = spec.uri();
            byte[] payload;
            try {
                payload = payload(client, spec);
            }
            catch (Exception e) {
                return Mono.error(e);
            }
            return limited(client, sendAndRead(client, spec, uri, payload))
                    .handle((raw, sink) -> {
                        HttpResult r = new HttpResult(method, raw.url, raw.status, raw.headers, raw.body,
                                Duration.ofNanos(System.nanoTime() - start), 1);
                        if (raise && !r.isSuccess()) {
                            sink.error(statusException(r, client, false));
                        }
                        else {
                            sink.next(r);
                        }
                    });
        });
    }

    private static Mono<HttpResult> aggregateWithRetry(PooledHttpClient client, HttpRequestSpec spec,
            boolean raise) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            String method = spec.method();
            String uri = spec.uri();
            byte[] payload;
            try {
                payload = payload(client, spec);
            }
            catch (Exception e) {
                return Mono.error(e);
            }
            AtomicInteger attempts = new AtomicInteger();
            Mono<HttpResult> attempt = limited(client, Mono.deferContextual(ctx -> {
                Throwable expired = expired(ctx);
                if (expired != null) {
                    return Mono.error(expired);
                }
                attempts.incrementAndGet();
                return sendAndRead(client, spec, uri, payload);
            })).handle((raw, sink) -> {
                HttpResult r = new HttpResult(method, raw.url, raw.status, raw.headers, raw.body,
                        Duration.ofNanos(System.nanoTime() - start), attempts.get());
                if (RETRY_STATUSES.contains(r.status())) {
                    sink.error(statusException(r, client));
                }
                else {
                    sink.next(r);
                }
            });
            attempt = attempt.retryWhen(classified(client.retryPolicy, Exchange::isRetryable));
            if (raise) {
                return attempt.handle((r, sink) -> {
                    if (r.isSuccess()) {
                        sink.next(r);
                    }
                    else {
                        // Not kept in the exception: only result() needs the whole response back.
                        sink.error(statusException(r, client, false));
                    }
                });
            }
            return attempt.onErrorResume(e -> {
                HttpResult last = lastResponse(e);
                return last != null ? Mono.just(last) : Mono.error(e);
            });
        });
    }

    /** The response behind a status failure, also when a retry policy gave up on it. */
    private static @Nullable HttpResult lastResponse(Throwable e) {
        Throwable t = e instanceof RetryExhaustedException && e.getCause() != null ? e.getCause() : e;
        return t instanceof HttpStatusException ? ((HttpStatusException) t).result() : null;
    }

    static Flux<String> lines(PooledHttpClient client, HttpRequestSpec spec) {
        int maxLine = client.settings.maxLineLength;
        return stream(client, spec, (resp, chunks, uri) ->
                ByteStreams.lines(chunks, HttpResult.charset(resp.responseHeaders()), maxLine));
    }

    static Flux<ByteBuffer> chunks(PooledHttpClient client, HttpRequestSpec spec, int size) {
        return stream(client, spec, (resp, chunks, uri) -> ByteStreams.rechunk(chunks, size));
    }

    /** Decodes the body of a 2xx response from copied chunks. */
    interface BodyDecoder<T> {
        Publisher<T> decode(HttpClientResponse response, Flux<ByteBuffer> chunks, String uri);
    }

    private static <T> Flux<T> stream(PooledHttpClient client, HttpRequestSpec spec, BodyDecoder<T> decoder) {
        return Flux.defer(() -> {
            String method = spec.method();
            String uri = spec.uri();
            byte[] payload;
            try {
                payload = payload(client, spec);
            }
            catch (Exception e) {
                return Flux.error(e);
            }
            AtomicBoolean emitted = new AtomicBoolean();
            Flux<T> attempt = limited(client, Flux.deferContextual(ctx -> {
                Throwable expired = expired(ctx);
                if (expired != null) {
                    return Flux.error(expired);
                }
                return Redirects.send(client, spec, uri, payload, (resp, body) -> {
                    int status = resp.status().code();
                    if (status < 200 || status >= 300) {
                        return readWhole(resp, body, method, uri, client.settings.maxResponseBytes,
                                client.settings.followRedirects)
                                .flatMap(raw -> Mono.error(statusException(new HttpResult(method, raw.url,
                                        raw.status, raw.headers, raw.body, Duration.ZERO, 1), client)));
                    }
                    // Copy each buffer while reactor-netty holds it: it is released as soon as onNext returns.
                    return decoder.decode(resp, body.map(buf -> ByteBuffer.wrap(copy(buf))), uri);
                }, (hop, hopUri, hopPayload, handler) -> send(client, hop, hopUri, hopPayload, handler));
            })).doOnNext(item -> emitted.lazySet(true));
            if (isIdempotent(method) && client.retryPolicy != RetryPolicy.none()) {
                attempt = attempt.retryWhen(classified(client.retryPolicy, e -> !emitted.get() && isRetryable(e)));
            }
            return attempt;
        });
    }

    /** One attempt of an aggregating terminal: send, then read the whole body within the client's limits. */
    private static Mono<Raw> sendAndRead(PooledHttpClient client, HttpRequestSpec spec, String uri,
            byte @Nullable [] payload) {
        String method = spec.method();
        int max = client.settings.maxResponseBytes;
        boolean followRedirects = client.settings.followRedirects;
        return Redirects.send(client, spec, uri, payload, (resp, body) -> readWhole(resp, body, method, uri, max,
                followRedirects), (hop, hopUri, hopPayload, handler) -> send(client, hop, hopUri, hopPayload, handler))
                .singleOrEmpty();
    }

    /**
     * One attempt behind the client's limits: the permit first, then the token. Taking the token first would let
     * requests queued behind a slow call each spend a token while they wait and then fire together, beyond the rate.
     * The whole of it, waiting included, is bounded by the caller's deadline.
     */
    private static <T> Mono<T> limited(PooledHttpClient client, Mono<T> attempt) {
        PermitSource semaphore = client.settings.concurrencyLimit;
        RateLimiter bucket = client.settings.rateLimit;
        Mono<T> m = bucket == null ? attempt : bucket.withToken(attempt);
        return withinDeadline(client, semaphore == null ? m : semaphore.withPermit(m));
    }

    private static <T> Flux<T> limited(PooledHttpClient client, Flux<T> attempt) {
        PermitSource semaphore = client.settings.concurrencyLimit;
        RateLimiter bucket = client.settings.rateLimit;
        Flux<T> f = bucket == null ? attempt : bucket.acquire().thenMany(attempt);
        return withinDeadline(client, semaphore == null ? f : semaphore.withPermit(f));
    }

    /**
     * Bounds one attempt, from its wait for a permit to the last byte of its body, by the time left until the
     * {@link Deadline} in the subscriber's Context, if there is one. When it passes the attempt is cancelled (which
     * closes its connection) and fails with {@link DeadlineExceededException}; an attempt that starts after it
     * fails at once, before anything is sent. The Context may carry a deadline without the timer of
     * {@link Deadline#within} above it (a Context handed to other work), so the client sets its own.
     */
    private static <T> Mono<T> withinDeadline(PooledHttpClient client, Mono<T> attempt) {
        return Mono.deferContextual(ctx -> {
            Optional<Deadline> current = Deadline.current(ctx);
            if (current.isEmpty()) {
                return attempt;
            }
            Deadline deadline = current.get();
            Duration left = deadline.timeLeft();
            if (left.isZero()) {
                return Mono.error(new DeadlineExceededException(deadline.budget()));
            }
            return attempt.timeout(left, Mono.error(() -> new DeadlineExceededException(deadline.budget())),
                    client.scheduler());
        });
    }

    private static <T> Flux<T> withinDeadline(PooledHttpClient client, Flux<T> attempt) {
        return Flux.deferContextual(ctx -> {
            Optional<Deadline> current = Deadline.current(ctx);
            if (current.isEmpty()) {
                return attempt;
            }
            Deadline deadline = current.get();
            Duration left = deadline.timeLeft();
            if (left.isZero()) {
                return Flux.error(new DeadlineExceededException(deadline.budget()));
            }
            return attempt.takeUntilOther(Mono.delay(left, client.scheduler())
                    .then(Mono.error(() -> new DeadlineExceededException(deadline.budget()))));
        });
    }

    private static @Nullable Throwable expired(ContextView ctx) {
        Optional<Deadline> deadline = Deadline.current(ctx);
        if (deadline.isPresent() && deadline.get().isExpired()) {
            return new DeadlineExceededException(deadline.get().budget());
        }
        return null;
    }

    /**
     * The client's retry rules in front of the user's policy: an error they do not allow propagates unchanged, the
     * others go to the policy, which decides how often and how long to wait.
     */
    static Retry classified(RetryPolicy policy, Predicate<Throwable> retryable) {
        return Retry.from(signals -> policy.generateCompanion(signals.handle((signal, sink) -> {
            if (retryable.test(signal.failure())) {
                sink.next(signal);
            }
            else {
                sink.error(signal.failure());
            }
        })));
    }

    static boolean isIdempotent(String method) {
        switch (method) {
            case "GET":
            case "HEAD":
            case "OPTIONS":
            case "TRACE":
            case "PUT":
            case "DELETE":
                return true;
            default:
                return false;
        }
    }

    static boolean isRetryable(Throwable e) {
        if (e instanceof HttpStatusException) {
            return RETRY_STATUSES.contains(((HttpStatusException) e).status());
        }
        if (e instanceof HttpTimeoutException) {
            return ((HttpTimeoutException) e).phase() != HttpTimeoutException.Phase.POOL;
        }
        if (e instanceof SSLException || e instanceof UnknownHostException) {
            return false;
        }
        return e instanceof IOException;
    }

    /**
     * Sends one attempt and translates Netty's timeout exceptions. The response and read timeouts come from
     * {@link ResponseGuard}: a fixed {@code responseTimeout} until the final headers arrive, then an idle
     * {@code readTimeout} between reads; both signal Netty's {@code ReadTimeoutException}, and whether the headers had
     * arrived tells which one fired. On HTTP/1.1 the attempt first passes the client's admission gate for its host
     * ({@link PooledHttpClient#gate(String)}).
     */
    private static <T> Flux<T> send(PooledHttpClient client, HttpRequestSpec spec, String uri,
            byte @Nullable [] payload,
            BiFunction<HttpClientResponse, ByteBufFlux, Publisher<T>> handler) {
        AtomicBoolean headersSeen = new AtomicBoolean();
        HttpRequestSpec.Body body = spec.body();
        List<String[]> headers = spec.headers();
        HttpClient.ResponseReceiver<?> receiver = client.netty.request(spec.nettyMethod()).uri(uri);
        long writeMillis = client.settings.writeTimeout.toMillis();
        boolean crossOrigin = spec.isCrossOrigin();
        if (payload != null || !headers.isEmpty() || crossOrigin) {
            receiver = ((HttpClient.RequestSender) receiver).send((HttpClientRequest req, NettyOutbound out) -> {
                applyHeaders(req, headers);
                if (crossOrigin) {
                    // The client's default headers are in by now: credentials never go to another origin.
                    for (String name : Origins.CREDENTIAL_HEADERS) {
                        req.requestHeaders().remove(name);
                    }
                }
                if (payload == null) {
                    return out;
                }
                if (body != null && !spec.hasHeader("Content-Type")) {
                    req.header(HttpHeaderNames.CONTENT_TYPE, body.contentType);
                }
                req.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(payload.length));
                // Removed by reactor-netty when the connection goes back to the pool.
                out.withConnection(conn -> conn.addHandlerFirst(WRITE_TIMEOUT_HANDLER,
                        new WriteTimeoutHandler(writeMillis, TimeUnit.MILLISECONDS)));
                return out.sendByteArray(Mono.just(payload));
            });
        }
        PooledHttpClient.Settings s = client.settings;
        String method = spec.method();
        Flux<T> exchange = receiver
                .response((resp, content) -> {
                    headersSeen.set(true);
                    return handler.apply(resp, content);
                });
        AsyncSemaphore gate = client.gate(uri);
        if (gate != null) {
            exchange = admitted(gate, exchange, s, method, uri);
        }
        return exchange.onErrorMap(e -> translate(e, s, method, uri, headersSeen.get()));
    }

    /**
     * Lets the exchange ask the pool for a connection only while fewer than {@code maxConnections} exchanges to its
     * host hold one, waiting (in FIFO order, at most {@code maxPendingAcquires} of them, at most
     * {@code pendingAcquireTimeout}) otherwise. reactor-netty's pool keeps a cancelled waiter in its queue and later
     * opens a connection for it that is closed at once; a waiter cancelled here leaves the queue at once.
     */
    private static <T> Flux<T> admitted(AsyncSemaphore gate, Flux<T> exchange, PooledHttpClient.Settings s,
            String method, String uri) {
        return gate.acquire()
                .timeout(s.pendingAcquireTimeout, Mono.error(() -> new HttpTimeoutException(
                        HttpTimeoutException.Phase.POOL, method, uri, s.pendingAcquireTimeout, null)))
                .onErrorMap(SemaphoreFullException.class,
                        e -> new PoolFullException(method, uri, s.maxPendingAcquires, e))
                .flatMapMany(permit -> exchange.doFinally(signal -> permit.release()));
    }

    private static void applyHeaders(HttpClientRequest req, List<String[]> headers) {
        if (headers.isEmpty()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (String[] kv : headers) {
            if (seen.add(kv[0].toLowerCase(java.util.Locale.ROOT))) {
                req.header(kv[0], kv[1]);
            }
            else {
                req.addHeader(kv[0], kv[1]);
            }
        }
    }

    static Throwable translate(Throwable e, PooledHttpClient.Settings s, String method, String uri,
            boolean headersSeen) {
        if (e instanceof ConnectTimeoutException) {
            return new HttpTimeoutException(HttpTimeoutException.Phase.CONNECT, method, uri, s.connectTimeout, e);
        }
        if (e instanceof ReadTimeoutException) {
            return headersSeen
                    ? new HttpTimeoutException(HttpTimeoutException.Phase.READ, method, uri, s.readTimeout, e)
                    : new HttpTimeoutException(HttpTimeoutException.Phase.RESPONSE, method, uri, s.responseTimeout, e);
        }
        if (e instanceof WriteTimeoutException) {
            return new HttpTimeoutException(HttpTimeoutException.Phase.WRITE, method, uri, s.writeTimeout, e);
        }
        if (e instanceof SslHandshakeTimeoutException) {
            // The TLS handshake shares connectTimeout with the TCP connect (TlsHandshakeBudget).
            return new HttpTimeoutException(HttpTimeoutException.Phase.CONNECT, method, uri, s.connectTimeout, e);
        }
        String type = e.getClass().getSimpleName();
        if ("PoolAcquireTimeoutException".equals(type)) {
            return new HttpTimeoutException(HttpTimeoutException.Phase.POOL, method, uri, s.pendingAcquireTimeout,
                    e);
        }
        if ("PoolAcquirePendingLimitException".equals(type)) {
            // reactor-netty's shaded reactor-pool type: not part of any public API.
            return new PoolFullException(method, uri, s.maxPendingAcquires, e);
        }
        return e;
    }

    private static byte @Nullable [] payload(PooledHttpClient client, HttpRequestSpec spec) throws Exception {
        HttpRequestSpec.Body body = spec.body();
        return body == null ? null : body.encode(client.codec);
    }

    /** Reads the whole body, failing as soon as it exceeds {@code max} bytes. */
    private static Mono<Raw> readWhole(HttpClientResponse resp, ByteBufFlux body, String method, String uri,
            int max, boolean followRedirects) {
        HttpHeaders headers = resp.responseHeaders();
        int status = resp.status().code();
        // HEAD, 1xx, 204 and 304 have no body whatever their Content-Length says (RFC 9110 sections 8.6 and 9.3.2).
        long contentLength = canHaveBody(method, status) ? contentLength(headers) : 0;
        if (contentLength > max) {
            return Mono.error(new ResponseTooLargeException(method, uri, max, "response body"));
        }
        // resourceUrl() builds a string; it differs from the request URI only after a redirect.
        String url = followRedirects ? resp.resourceUrl() : uri;
        if (contentLength >= 0) {
            // The framing (HTTP/1.1 Content-Length, HTTP/2's content-length check) bounds the body: reactor-netty's
            // own aggregation is then both safe and the cheapest path.
            return body.aggregate().asByteArray()
                    .defaultIfEmpty(EMPTY)
                    .map(bytes -> new Raw(status, headers, url, bytes));
        }
        return body
                .collect(() -> new BodyBuffer(max, contentLength, method, uri), BodyBuffer::add)
                .map(b -> new Raw(status, headers, url, b.toByteArray()));
    }

    static boolean canHaveBody(String method, int status) {
        return !"HEAD".equals(method) && status >= 200 && status != 204 && status != 304;
    }

    static HttpStatusException statusException(HttpResult r, PooledHttpClient client) {
        return statusException(r, client, true);
    }

    static HttpStatusException statusException(HttpResult r, PooledHttpClient client, boolean keepResult) {
        Duration retryAfter = RetryAfterHeader.parse(r.headers().get(HttpHeaderNames.RETRY_AFTER),
                Instant.ofEpochMilli(client.scheduler().now(java.util.concurrent.TimeUnit.MILLISECONDS)));
        return new HttpStatusException(r.status(), r.method(), r.uri(), r.headers(), r.bodyUnsafe(), retryAfter,
                keepResult ? r : null);
    }

    private static long contentLength(HttpHeaders headers) {
        String v = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] copy(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }

    /** A growable byte array with a hard cap, filled from buffers that are released right after. */
    static final class BodyBuffer {
        private final int max;
        private final String method;
        private final String uri;
        private byte[] bytes;
        private int length;

        BodyBuffer(int max, long contentLength, String method, String uri) {
            this.max = max;
            this.method = method;
            this.uri = uri;
            this.bytes = new byte[contentLength >= 0 ? (int) contentLength : 256];
        }

        void add(ByteBuf buf) {
            int n = buf.readableBytes();
            if ((long) length + n > max) {
                throw new ResponseTooLargeException(method, uri, max, "response body");
            }
            if (length + n > bytes.length) {
                int capacity = (int) Math.min(max, Math.max((long) bytes.length * 2, (long) length + n));
                bytes = java.util.Arrays.copyOf(bytes, capacity);
            }
            buf.getBytes(buf.readerIndex(), bytes, length, n);
            length += n;
        }

        byte[] toByteArray() {
            return length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
        }
    }
}
