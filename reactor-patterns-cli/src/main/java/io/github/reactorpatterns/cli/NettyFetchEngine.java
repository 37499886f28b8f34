package io.github.reactorpatterns.cli;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;

/**
 * The fetch engine on reactor-netty's {@code HttpClient}: a pool sized to the concurrency, reactor-netty's own hidden
 * retry off, a per-attempt timeout, retries with exponential backoff that honour {@code Retry-After}, a GCRA rate
 * gate shared by every attempt, and the run's deadline over everything.
 */
final class NettyFetchEngine implements FetchEngine {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 502, 503, 504);
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final FetchSettings settings;
    private final long deadlineAt;
    private final ConnectionProvider pool;
    private final HttpClient client;
    private final @Nullable Pacer pacer;

    NettyFetchEngine(FetchSettings settings, long deadlineAt) {
        this.settings = settings;
        this.deadlineAt = deadlineAt;
        this.pool = ConnectionProvider.builder("reactor-patterns-fetch")
                .maxConnections(settings.concurrency())
                .pendingAcquireMaxCount(-1)
                .maxIdleTime(Duration.ofSeconds(20))
                .build();
        HttpClient c = HttpClient.create(pool)
                .disableRetry(true)
                .followRedirect(false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(settings.timeout().toMillis(), Integer.MAX_VALUE))
                .headers(h -> {
                    for (Map.Entry<String, String> header : settings.headers()) {
                        h.add(header.getKey(), header.getValue());
                    }
                });
        if (settings.http2()) {
            c = c.protocol(HttpProtocol.HTTP11, HttpProtocol.H2C, HttpProtocol.H2);
        }
        this.client = c;
        this.pacer = settings.rate() == null ? null : new Pacer(settings.rate(), settings.burst());
    }

    @Override
    public Mono<FetchResult> fetch(UrlList.Entry entry) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            long remaining = deadlineAt - start;
            if (remaining <= 0) {
                return Mono.just(new FetchResult(entry.index(), entry.uri().toString(), null, 0, 0, 0,
                        "deadline exceeded before the request started", KIND_NOT_STARTED));
            }
            AtomicInteger attempts = new AtomicInteger();
            Mono<Response> attempt = Mono.defer(() -> {
                attempts.incrementAndGet();
                return once(entry);
            }).timeout(settings.timeout());
            if (pacer != null) {
                attempt = pacer.acquire().then(attempt);
            }
            Mono<Response> retried = IDEMPOTENT.contains(settings.method()) && settings.retries() > 0
                    ? attempt.retryWhen(retry())
                    : attempt;
            return retried
                    .timeout(Duration.ofNanos(remaining), Mono.error(DeadlineReached::new))
                    .map(r -> result(entry, start, attempts.get(), r, null))
                    .onErrorResume(e -> Mono.just(result(entry, start, attempts.get(),
                            e instanceof RetryableStatus rs ? rs.response : null, e)));
        });
    }

    private Mono<Response> once(UrlList.Entry entry) {
        return client.request(HttpMethod.valueOf(settings.method()))
                .uri(entry.uri())
                .response((response, body) -> body.map(ByteBuf::readableBytes)
                        .reduce(0L, Long::sum)
                        .map(bytes -> new Response(response.status().code(), bytes,
                                retryAfter(response.responseHeaders()))))
                .single()
                .flatMap(r -> RETRYABLE_STATUS.contains(r.status) ? Mono.error(new RetryableStatus(r)) : Mono.just(r));
    }

    private Retry retry() {
        return Retry.from(signals -> signals.concatMap(signal -> {
            Throwable failure = signal.failure();
            if (signal.totalRetries() >= settings.retries() || !retryable(failure)) {
                return Mono.error(failure);
            }
            long exp = FIRST_BACKOFF.toMillis() << Math.min(signal.totalRetries(), 16);
            long backoff = Math.min(exp, MAX_BACKOFF.toMillis());
            long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
            Duration delay = Duration.ofMillis(jittered);
            if (failure instanceof RetryableStatus rs && rs.response.retryAfter != null
                    && rs.response.retryAfter.compareTo(delay) > 0) {
                delay = rs.response.retryAfter;
            }
            return Mono.delay(delay).thenReturn(signal.totalRetries());
        }));
    }

    private static boolean retryable(Throwable failure) {
        if (failure instanceof RetryableStatus) {
            return true;
        }
        String kind = Failure.of(failure).kind();
        return kind.equals("timeout") || kind.equals("connect") || kind.equals("closed");
    }

    private static FetchResult result(UrlList.Entry entry, long start, int attempts, @Nullable Response r,
                                      @Nullable Throwable error) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        String url = entry.uri().toString();
        Integer status = r == null ? null : r.status;
        long bytes = r == null ? 0 : r.bytes;
        if (error instanceof DeadlineReached) {
            return new FetchResult(entry.index(), url, status, bytes, ms, attempts, "deadline exceeded",
                    KIND_DEADLINE);
        }
        if (r != null && (error != null || r.status >= 400)) {
            Failure f = Failure.status(r.status);
            return new FetchResult(entry.index(), url, status, bytes, ms, attempts, f.message(), f.kind());
        }
        if (error != null) {
            Failure f = Failure.of(error);
            return new FetchResult(entry.index(), url, null, 0, ms, attempts, f.message(), f.kind());
        }
        return new FetchResult(entry.index(), url, status, bytes, ms, attempts, null, null);
    }

    /** {@code Retry-After} as seconds or an HTTP-date, or {@code null} when absent or unreadable. */
    static @Nullable Duration retryAfter(HttpHeaders headers) {
        String value = headers.get("Retry-After");
        if (value == null) {
            return null;
        }
        String v = value.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v,
                        DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(5));
    }

    private record Response(int status, long bytes, @Nullable Duration retryAfter) {
    }

    private static final class RetryableStatus extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Response response;

        RetryableStatus(Response response) {
            super("HTTP " + response.status, null, false, false);
            this.response = response;
        }
    }

    private static final class DeadlineReached extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeadlineReached() {
            super("deadline exceeded", null, false, false);
        }
    }

    /** A GCRA gate: attempts start no faster than the rate, {@code burst} of them at once. */
    static final class Pacer {
        private final long interval;
        private final long tolerance;
        private final AtomicLong theoreticalArrival = new AtomicLong(Long.MIN_VALUE);

        Pacer(Rate rate, int burst) {
            this.interval = Math.max(1, rate.period().toNanos() / rate.permits());
            this.tolerance = interval * (burst - 1L);
        }

        Mono<Void> acquire() {
            return Mono.defer(() -> {
                long now = System.nanoTime();
                while (true) {
                    long tat = theoreticalArrival.get();
                    long base = tat == Long.MIN_VALUE ? now : Math.max(tat, now);
                    if (theoreticalArrival.compareAndSet(tat, base + interval)) {
                        long wait = base - tolerance - now;
                        return wait > 0 ? Mono.delay(Duration.ofNanos(wait)).then() : Mono.empty();
                    }
                }
            });
        }
    }
}
