package io.github.reactorpatterns.http;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import javax.net.ssl.SSLException;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.limit.SemaphoreFullException;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.stream.ByteStreams;
import io.github.reactorpatterns.time.Deadline;
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
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.NettyOutbound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.util.context.ContextView;
import reactor.util.retry.Retry;

/**
 * The request pipeline behind {@link HttpRequestSpec}'s terminals, one per client: an attempt (admission, limits,
 * deadline, send), body reading within the size caps, failure translation and retry classification.
 */
final class Exchange {

    /** The statuses a retry policy may retry: too many requests, bad gateway, unavailable, gateway timeout. */
    static final Set<Integer> RETRY_STATUSES = Set.of(429, 502, 503, 504);

    private static final byte[] EMPTY = new byte[0];

    private static final String WRITE_TIMEOUT_HANDLER = "reactorPatterns.writeTimeout";

    private final Settings settings;
    private final HttpClient netty;
    private final RetryPolicy retryPolicy;
    private final JsonCodec codec;
    private final Map<String, AsyncSemaphore> gates = new ConcurrentHashMap<>();
    private volatile @Nullable Gate lastGate;

    Exchange(Settings settings, HttpClient netty, RetryPolicy retryPolicy, JsonCodec codec) {
        this.settings = settings;
        this.netty = netty;
        this.retryPolicy = retryPolicy;
        this.codec = codec;
    }

    /**
     * Sends the request and reads its body whole. Idempotent requests go through the retry policy (unless it is
     * {@link RetryPolicy#none()}), which sees the retryable statuses as errors; with {@code raise} a non-2xx status
     * fails with {@link HttpStatusException}, without it the (last) response is returned whatever its status.
     */
    Mono<HttpResult> aggregate(HttpRequestSpec spec, boolean raise) {
        boolean retrying = isIdempotent(spec.method()) && retryPolicy != RetryPolicy.none();
        return Mono.deferContextual(ctx -> {
            String method = spec.method();
            String uri = spec.uri();
            // Looked up here, once: a request whose deadline has passed makes no attempt, and a single attempt is
            // bounded by it without a second Context lookup in front of the attempt.
            Deadline deadline = Deadline.current(ctx).orElse(null);
            if (deadline != null && deadline.isExpired()) {
                return Mono.error(deadlineExceeded(deadline, method, uri, 0));
            }
            long start = System.nanoTime();
            byte[] payload;
            try {
                payload = payload(spec);
            } catch (Exception e) {
                return Mono.error(e);
            }
            if (!retrying) {
                // The hot path of a fan-out: as few operators as the steps need.
                Mono<Raw> attempt = limits(sendAndRead(spec, uri, payload));
                return (deadline == null ? attempt : within(method, uri, attempt, deadline)).handle((raw, sink) -> {
                    HttpResult r = result(method, raw, start, 1);
                    if (raise && !r.isSuccess()) {
                        sink.error(statusException(r, false));
                    } else {
                        sink.next(r);
                    }
                });
            }
            AtomicInteger attempts = new AtomicInteger();
            Mono<HttpResult> attempt = limited(method, uri, Mono.deferContextual(c -> {
                        Throwable late = expired(c, method, uri, attempts.get() + 1);
                        if (late != null) {
                            return Mono.error(late);
                        }
                        attempts.incrementAndGet();
                        return sendAndRead(spec, uri, payload);
                    }))
                    .<HttpResult>handle((raw, sink) -> {
                        HttpResult r = result(method, raw, start, attempts.get());
                        if (RETRY_STATUSES.contains(r.status())) {
                            sink.error(statusException(r, true));
                        } else {
                            sink.next(r);
                        }
                    })
                    .retryWhen(classified(retryPolicy, Exchange::isRetryable));
            if (raise) {
                return attempt.handle(this::raiseStatus);
            }
            return attempt.onErrorResume(e -> {
                HttpResult last = lastResponse(e);
                return last != null ? Mono.just(last) : Mono.error(e);
            });
        });
    }

    private static HttpResult result(String method, Raw raw, long start, int attempts) {
        return new HttpResult(
                method,
                raw.url(),
                raw.status(),
                raw.headers(),
                raw.body(),
                Duration.ofNanos(System.nanoTime() - start),
                attempts);
    }

    private void raiseStatus(HttpResult r, SynchronousSink<HttpResult> sink) {
        if (r.isSuccess()) {
            sink.next(r);
        } else {
            // Not kept in the exception: only result() needs the whole response back.
            sink.error(statusException(r, false));
        }
    }

    /** The response behind a status failure, also when a retry policy gave up on it. */
    private static @Nullable HttpResult lastResponse(Throwable e) {
        Throwable t = e instanceof RetryExhaustedException && e.getCause() != null ? e.getCause() : e;
        return t instanceof HttpStatusException status ? status.result() : null;
    }

    Flux<String> lines(HttpRequestSpec spec) {
        int maxLine = settings.maxLineLength();
        return stream(
                spec,
                (resp, chunks, uri) -> ByteStreams.lines(chunks, HttpResult.charset(resp.responseHeaders()), maxLine));
    }

    Flux<ByteBuffer> chunks(HttpRequestSpec spec, int size) {
        return stream(spec, (resp, chunks, uri) -> ByteStreams.rechunk(chunks, size));
    }

    /** Decodes the body of a 2xx response from copied chunks. */
    interface BodyDecoder<T> {
        Publisher<T> decode(HttpClientResponse response, Flux<ByteBuffer> chunks, String uri);
    }

    private <T> Flux<T> stream(HttpRequestSpec spec, BodyDecoder<T> decoder) {
        return Flux.deferContextual(ctx -> {
            String method = spec.method();
            String uri = spec.uri();
            // Checked here, once: a request whose deadline has passed makes no attempt.
            Throwable expired = expired(ctx, method, uri, 0);
            if (expired != null) {
                return Flux.error(expired);
            }
            byte[] payload;
            try {
                payload = payload(spec);
            } catch (Exception e) {
                return Flux.error(e);
            }
            AtomicBoolean emitted = new AtomicBoolean();
            AtomicInteger attempts = new AtomicInteger();
            Flux<T> attempt = limited(method, uri, Flux.deferContextual(c -> {
                        Throwable late = expired(c, method, uri, attempts.get() + 1);
                        if (late != null) {
                            return Flux.error(late);
                        }
                        int n = attempts.incrementAndGet();
                        return Redirects.send(
                                settings,
                                spec,
                                uri,
                                payload,
                                (resp, body) -> {
                                    int status = resp.status().code();
                                    if (status < 200 || status >= 300) {
                                        return readWhole(
                                                        resp,
                                                        body,
                                                        method,
                                                        uri,
                                                        settings.maxResponseBytes(),
                                                        settings.followRedirects())
                                                .flatMap(raw -> Mono.error(statusException(
                                                        new HttpResult(
                                                                method,
                                                                raw.url(),
                                                                raw.status(),
                                                                raw.headers(),
                                                                raw.body(),
                                                                Duration.ZERO,
                                                                n),
                                                        true)));
                                    }
                                    // Copy each buffer while reactor-netty holds it: it is released as soon as onNext
                                    // returns.
                                    return decoder.decode(resp, body.map(buf -> ByteBuffer.wrap(copy(buf))), uri);
                                },
                                this::send);
                    }))
                    .doOnNext(item -> emitted.lazySet(true));
            if (isIdempotent(method) && retryPolicy != RetryPolicy.none()) {
                attempt = attempt.retryWhen(classified(retryPolicy, e -> !emitted.get() && isRetryable(e)));
            }
            return attempt;
        });
    }

    /** One attempt of an aggregating terminal: send, then read the whole body within the client's limits. */
    private Mono<Raw> sendAndRead(HttpRequestSpec spec, String uri, byte @Nullable [] payload) {
        String method = spec.method();
        int max = settings.maxResponseBytes();
        boolean followRedirects = settings.followRedirects();
        return Redirects.<Raw>send(
                        settings,
                        spec,
                        uri,
                        payload,
                        (resp, body) -> readWhole(resp, body, method, uri, max, followRedirects),
                        this::send)
                // Mono.fromDirect, not singleOrEmpty: the handler emits at most one Raw, so no cardinality check.
                .as(Mono::fromDirect);
    }

    /**
     * One attempt behind the client's limits: the permit first, then the token. Taking the token first would let
     * requests queued behind a slow call each spend a token while they wait and then fire together, beyond the rate.
     * The whole of it, waiting included, is bounded by the caller's deadline.
     */
    private <T> Mono<T> limited(String method, String uri, Mono<T> attempt) {
        return withinDeadline(method, uri, limits(attempt));
    }

    /** The permit, then the token, without the deadline. */
    private <T> Mono<T> limits(Mono<T> attempt) {
        PermitSource semaphore = settings.concurrencyLimit();
        RateLimiter bucket = settings.rateLimit();
        Mono<T> m = bucket == null ? attempt : bucket.withToken(attempt);
        return semaphore == null ? m : semaphore.withPermit(m);
    }

    private <T> Flux<T> limited(String method, String uri, Flux<T> attempt) {
        PermitSource semaphore = settings.concurrencyLimit();
        RateLimiter bucket = settings.rateLimit();
        Flux<T> f = bucket == null ? attempt : bucket.acquire().thenMany(attempt);
        return withinDeadline(method, uri, semaphore == null ? f : semaphore.withPermit(f));
    }

    /**
     * Bounds one attempt, from its wait for a permit to the last byte of its body, by the time left until the
     * {@link Deadline} in the subscriber's Context, if there is one. When it passes the attempt is cancelled (which
     * closes its connection) and fails with {@link HttpDeadlineExceededException}; an attempt that starts after it
     * fails at once, before anything is sent. The Context may carry a deadline without the timer of
     * {@link Deadline#within} above it (a Context handed to other work), so the client sets its own.
     */
    private <T> Mono<T> withinDeadline(String method, String uri, Mono<T> attempt) {
        return Mono.deferContextual(ctx -> {
            Optional<Deadline> current = Deadline.current(ctx);
            if (current.isEmpty()) {
                return attempt;
            }
            return within(method, uri, attempt, current.get());
        });
    }

    private <T> Mono<T> within(String method, String uri, Mono<T> attempt, Deadline deadline) {
        Duration left = deadline.timeLeft();
        if (left.isZero()) {
            return Mono.error(new HttpDeadlineExceededException(deadline.budget(), method, uri));
        }
        return attempt.timeout(
                left, Mono.error(() -> new HttpDeadlineExceededException(deadline.budget(), method, uri)), scheduler());
    }

    private <T> Flux<T> withinDeadline(String method, String uri, Flux<T> attempt) {
        return Flux.deferContextual(ctx -> {
            Optional<Deadline> current = Deadline.current(ctx);
            if (current.isEmpty()) {
                return attempt;
            }
            Deadline deadline = current.get();
            Duration left = deadline.timeLeft();
            if (left.isZero()) {
                return Flux.error(new HttpDeadlineExceededException(deadline.budget(), method, uri));
            }
            return attempt.takeUntilOther(Mono.delay(left, scheduler())
                    .then(Mono.error(() -> new HttpDeadlineExceededException(deadline.budget(), method, uri))));
        });
    }

    /** The failure of a request whose deadline has passed before its attempt number {@code attempts} could send. */
    private static @Nullable Throwable expired(ContextView ctx, String method, String uri, int attempts) {
        Optional<Deadline> deadline = Deadline.current(ctx);
        return deadline.isPresent() && deadline.get().isExpired()
                ? deadlineExceeded(deadline.get(), method, uri, attempts)
                : null;
    }

    private static HttpDeadlineExceededException deadlineExceeded(
            Deadline deadline, String method, String uri, int attempts) {
        HttpDeadlineExceededException e = new HttpDeadlineExceededException(deadline.budget(), method, uri);
        e.attempts(attempts);
        return e;
    }

    /**
     * The client's retry rules in front of the user's policy: an error they do not allow propagates unchanged, the
     * others go to the policy, which decides how often and how long to wait. Every failure that ends an attempt
     * passes here first, where it is stamped with the attempt's number: before the policy wraps it in a
     * {@code RetryExhaustedException} or lets it through, and without an operator on the path of a success.
     */
    static Retry classified(RetryPolicy policy, Predicate<Throwable> retryable) {
        return Retry.from(signals -> policy.generateCompanion(signals.handle((signal, sink) -> {
            withAttempts(signal.failure(), (int) Math.min(Integer.MAX_VALUE, signal.totalRetries() + 1));
            if (retryable.test(signal.failure())) {
                sink.next(signal);
            } else {
                sink.error(signal.failure());
            }
        })));
    }

    static boolean isIdempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    static boolean isRetryable(Throwable e) {
        if (e instanceof HttpStatusException status) {
            return RETRY_STATUSES.contains(status.status());
        }
        if (e instanceof HttpTimeoutException timeout) {
            return timeout.phase() != HttpTimeoutException.Phase.POOL;
        }
        Throwable io = e instanceof HttpTransportException transport ? transport.getCause() : e;
        return io instanceof IOException && !(io instanceof SSLException) && !(io instanceof UnknownHostException);
    }

    /**
     * Stamps the client's failure {@code e} with the number of the attempt that failed; other errors pass unchanged.
     * The count is set before the error leaves the retry loop ({@link #classified}), so no one sees it change.
     */
    static Throwable withAttempts(Throwable e, int attempts) {
        if (e instanceof HttpStatusException x) {
            x.attempts(attempts);
        } else if (e instanceof HttpTimeoutException x) {
            x.attempts(attempts);
        } else if (e instanceof HttpTransportException x) {
            x.attempts(attempts);
        } else if (e instanceof HttpDeadlineExceededException x) {
            x.attempts(attempts);
        } else if (e instanceof ResponseTooLargeException x) {
            x.attempts(attempts);
        } else if (e instanceof TooManyRedirectsException x) {
            x.attempts(attempts);
        } else if (e instanceof PoolFullException x) {
            x.attempts(attempts);
        }
        return e;
    }

    /**
     * The admission gate of the host of {@code uri} (scheme, host and port): {@code maxConnections} permits and
     * {@code pendingAcquireMaxCount} waiters, so that requests wait here, where a cancelled waiter leaves at once, rather
     * than in reactor-netty's pool, which keeps it and later opens a connection for it. HTTP/1.1 only (an HTTP/2
     * connection carries many exchanges); null for HTTP/2.
     */
    @Nullable
    AsyncSemaphore gate(String uri) {
        if (settings.protocol() != PooledHttpClient.Protocol.HTTP_1_1) {
            return null;
        }
        // A fan-out sends request after request to one host: its gate is found without building the origin.
        Gate last = lastGate;
        if (last != null && last.covers(uri)) {
            return last.semaphore;
        }
        String origin = PooledHttpClient.origin(uri);
        AsyncSemaphore gate = gates.computeIfAbsent(
                origin,
                k -> AsyncSemaphore.builder(settings.maxConnections())
                        .maxWaiters(settings.pendingAcquireMaxCount())
                        .build());
        if (origin.contains("://")) {
            lastGate = new Gate(origin, gate);
        }
        return gate;
    }

    /** The admission gate of one origin ({@code scheme://host:port}, lower-cased, without user info). */
    private record Gate(String origin, AsyncSemaphore semaphore) {

        /** Whether {@code uri} starts with this origin, ignoring case, and its authority ends there. */
        boolean covers(String uri) {
            int n = origin.length();
            if (!uri.regionMatches(true, 0, origin, 0, n)) {
                return false;
            }
            return uri.length() == n || "/?#".indexOf(uri.charAt(n)) >= 0;
        }
    }

    /** The requests waiting at the admission gates, over every host. */
    int waiting() {
        int waiting = 0;
        for (AsyncSemaphore gate : gates.values()) {
            waiting += gate.waiting();
        }
        return waiting;
    }

    /**
     * Sends one attempt and translates Netty's timeout exceptions. The response and read timeouts come from
     * {@link ResponseGuard}: a fixed {@code responseTimeout} until the final headers arrive, then an idle
     * {@code readTimeout} between reads; both signal Netty's {@code ReadTimeoutException}, and whether the headers had
     * arrived tells which one fired. On HTTP/1.1 the attempt first passes the client's admission gate for its host
     * ({@link #gate(String)}).
     */
    private <T> Flux<T> send(
            HttpRequestSpec spec,
            String uri,
            byte @Nullable [] payload,
            BiFunction<HttpClientResponse, ByteBufFlux, Publisher<T>> handler,
            @Nullable Function<Redirects.Follow, Publisher<T>> onFollow) {
        AtomicBoolean headersSeen = new AtomicBoolean();
        HttpRequestSpec.Body body = spec.body();
        List<NameValue> headers = spec.headers();
        HttpClient.ResponseReceiver<?> receiver =
                netty.request(spec.nettyMethod()).uri(uri);
        long writeMillis = settings.writeTimeout().toMillis();
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
                    req.header(HttpHeaderNames.CONTENT_TYPE, body.contentType());
                }
                req.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(payload.length));
                // Removed by reactor-netty when the connection goes back to the pool.
                out.withConnection(conn -> conn.addHandlerFirst(
                        WRITE_TIMEOUT_HANDLER, new WriteTimeoutHandler(writeMillis, TimeUnit.MILLISECONDS)));
                return out.sendByteArray(Mono.just(payload));
            });
        }
        Settings s = settings;
        String method = spec.method();
        Flux<T> exchange = receiver.response((resp, content) -> {
            headersSeen.set(true);
            return handler.apply(resp, content);
        });
        AsyncSemaphore gate = gate(uri);
        if (gate != null) {
            exchange = admitted(gate, exchange, s, method, uri);
        }
        // One error step: the next hop of a redirect, or the failure translated (Follow is never translated).
        return exchange.onErrorResume(e -> onFollow != null && e instanceof Redirects.Follow follow
                ? onFollow.apply(follow)
                : Flux.error(translate(e, s, method, uri, headersSeen.get())));
    }

    /**
     * Lets the exchange ask the pool for a connection only while fewer than {@code maxConnections} exchanges to its
     * host hold one, waiting (in FIFO order, at most {@code pendingAcquireMaxCount} of them, at most
     * {@code pendingAcquireTimeout}) otherwise. reactor-netty's pool keeps a cancelled waiter in its queue and later
     * opens a connection for it that is closed at once; a waiter cancelled here leaves the queue at once.
     */
    private static <T> Flux<T> admitted(AsyncSemaphore gate, Flux<T> exchange, Settings s, String method, String uri) {
        return Flux.defer(() -> {
            // A free permit (and nobody waiting: the gate is FIFO) is taken at once, without the timer and the
            // operators of a wait: the common case of a fan-out below maxConnections.
            Permit now = gate.tryAcquireNow().orElse(null);
            if (now != null) {
                return exchange.doFinally(signal -> now.release());
            }
            return waitFor(gate, exchange, s, method, uri);
        });
    }

    private static <T> Flux<T> waitFor(AsyncSemaphore gate, Flux<T> exchange, Settings s, String method, String uri) {
        return gate.acquire()
                .timeout(
                        s.pendingAcquireTimeout(),
                        Mono.error(() -> new HttpTimeoutException(
                                HttpTimeoutException.Phase.POOL, method, uri, s.pendingAcquireTimeout(), null)))
                .onErrorMap(
                        SemaphoreFullException.class,
                        e -> new PoolFullException(method, uri, s.pendingAcquireMaxCount(), e))
                .flatMapMany(permit -> exchange.doFinally(signal -> permit.release()));
    }

    private static void applyHeaders(HttpClientRequest req, List<NameValue> headers) {
        if (headers.isEmpty()) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (NameValue kv : headers) {
            if (seen.add(kv.name().toLowerCase(Locale.ROOT))) {
                req.header(kv.name(), kv.value());
            } else {
                req.addHeader(kv.name(), kv.value());
            }
        }
    }

    static Throwable translate(Throwable e, Settings s, String method, String uri, boolean headersSeen) {
        if (e instanceof ConnectTimeoutException) {
            return new HttpTimeoutException(HttpTimeoutException.Phase.CONNECT, method, uri, s.connectTimeout(), e);
        }
        if (e instanceof ReadTimeoutException) {
            return headersSeen
                    ? new HttpTimeoutException(HttpTimeoutException.Phase.READ, method, uri, s.readTimeout(), e)
                    : new HttpTimeoutException(
                            HttpTimeoutException.Phase.RESPONSE, method, uri, s.responseTimeout(), e);
        }
        if (e instanceof WriteTimeoutException) {
            return new HttpTimeoutException(HttpTimeoutException.Phase.WRITE, method, uri, s.writeTimeout(), e);
        }
        if (e instanceof SslHandshakeTimeoutException) {
            // The TLS handshake shares connectTimeout with the TCP connect (TlsHandshakeBudget).
            return new HttpTimeoutException(HttpTimeoutException.Phase.CONNECT, method, uri, s.connectTimeout(), e);
        }
        String type = e.getClass().getSimpleName();
        if ("PoolAcquireTimeoutException".equals(type)) {
            return new HttpTimeoutException(HttpTimeoutException.Phase.POOL, method, uri, s.pendingAcquireTimeout(), e);
        }
        if ("PoolAcquirePendingLimitException".equals(type)) {
            // reactor-netty's shaded reactor-pool type: not part of any public API.
            return new PoolFullException(method, uri, s.pendingAcquireMaxCount(), e);
        }
        if (e instanceof IOException io && !(e instanceof HttpTransportException)) {
            // Refused, reset, closed, TLS, DNS: one type that names the request and counts its attempts.
            return new HttpTransportException(method, uri, io);
        }
        return e;
    }

    private byte @Nullable [] payload(HttpRequestSpec spec) throws Exception {
        HttpRequestSpec.Body body = spec.body();
        return body == null ? null : body.encode(codec);
    }

    /** Reads the whole body, failing as soon as it exceeds {@code max} bytes. */
    static Mono<Raw> readWhole(
            HttpClientResponse resp, ByteBufFlux body, String method, String uri, int max, boolean followRedirects) {
        HttpHeaders headers = resp.responseHeaders();
        int status = resp.status().code();
        // HEAD, 1xx, 204 and 304 have no body whatever their Content-Length says (RFC 9110 sections 8.6 and 9.3.2).
        long contentLength = canHaveBody(method, status) ? contentLength(headers) : 0;
        if (contentLength > max) {
            return Mono.error(new ResponseTooLargeException(method, uri, max, "response body"));
        }
        // resourceUrl() builds a string; it differs from the request URI only after a redirect.
        String url = followRedirects ? resp.resourceUrl() : uri;
        // One operator and one copy of each chunk, into an array sized by Content-Length when there is one (the
        // framing then bounds the body); cheaper than reactor-netty's aggregate(), which builds a composite buffer,
        // copies it and needs defaultIfEmpty for an empty body.
        return body.collect(() -> new Raw(status, headers, url, max, contentLength, method, uri), Raw::add);
    }

    static boolean canHaveBody(String method, int status) {
        return !"HEAD".equals(method) && status >= 200 && status != 204 && status != 304;
    }

    /** The status failure of {@code r}, keeping the whole response for {@link HttpRequestSpec#result()} or not. */
    HttpStatusException statusException(HttpResult r, boolean keepResult) {
        Duration retryAfter = RetryAfterHeader.parse(
                r.headers().get(HttpHeaderNames.RETRY_AFTER),
                Instant.ofEpochMilli(scheduler().now(TimeUnit.MILLISECONDS)));
        HttpStatusException e = new HttpStatusException(
                r.status(), r.method(), r.uri(), r.headers(), r.bodyUnsafe(), retryAfter, keepResult ? r : null);
        e.attempts(r.attempts());
        return e;
    }

    /** The clock that dates {@code Retry-After}; looked up at each use so that virtual time can replace it. */
    private Scheduler scheduler() {
        Scheduler s = settings.scheduler();
        return s != null ? s : Schedulers.parallel();
    }

    private static long contentLength(HttpHeaders headers) {
        String v = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] copy(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }

    /**
     * A response read whole, what one attempt of an aggregating terminal produces: its status, headers and URL, and
     * its body, collected into a growable array with a hard cap from buffers that are released right after.
     */
    static final class Raw {
        private final int status;
        private final HttpHeaders headers;
        private final String url;
        private final int max;
        private final String method;
        private final String uri;
        private byte[] bytes;
        private int length;

        Raw(int status, HttpHeaders headers, String url, int max, long contentLength, String method, String uri) {
            this.status = status;
            this.headers = headers;
            this.url = url;
            this.max = max;
            this.method = method;
            this.uri = uri;
            this.bytes = contentLength == 0 ? EMPTY : new byte[contentLength > 0 ? (int) contentLength : 256];
        }

        void add(ByteBuf buf) {
            int n = buf.readableBytes();
            if ((long) length + n > max) {
                throw new ResponseTooLargeException(method, uri, max, "response body");
            }
            if (length + n > bytes.length) {
                int capacity = (int) Math.min(max, Math.max((long) bytes.length * 2, (long) length + n));
                bytes = Arrays.copyOf(bytes, capacity);
            }
            buf.getBytes(buf.readerIndex(), bytes, length, n);
            length += n;
        }

        int status() {
            return status;
        }

        HttpHeaders headers() {
            return headers;
        }

        /** The URL that answered: the request's, or the last one of a redirect chain. */
        String url() {
            return url;
        }

        /** The body read so far, trimmed to its length; call once the body has ended. */
        byte[] body() {
            if (length == 0) {
                return EMPTY;
            }
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }
    }
}
