package io.github.reactorpatterns.cli;

import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryAfter;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The fetch engine on reactor-netty's {@code HttpClient} and the library's patterns: a pool sized to the
 * concurrency with reactor-netty's own hidden retry off; each attempt takes a token from a shared
 * {@link TokenBucket} and is bounded by {@code Deadline.timeout(--timeout)} (so also by the run's deadline);
 * retries follow a {@link RetryPolicy} that honours {@code Retry-After} and stops at the run's deadline.
 */
final class NettyFetchEngine implements FetchEngine {

    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 502, 503, 504);
    static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final FetchSettings settings;
    private final ConnectionProvider pool;
    private final HttpClient client;
    private final @Nullable TokenBucket bucket;
    private final @Nullable RetryPolicy retry;

    NettyFetchEngine(FetchSettings settings) {
        this.settings = settings;
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
        Rate rate = settings.rate();
        this.bucket = rate == null ? null
                : TokenBucket.builder().rate(rate.permits(), rate.period()).burst(settings.burst()).build();
        this.retry = settings.retries() > 0 && IDEMPOTENT.contains(settings.method())
                ? RetryPolicy.backoff(settings.retries(), FIRST_BACKOFF)
                        .maxBackoff(MAX_BACKOFF)
                        .retryIf(NettyFetchEngine::retryable)
                        .build()
                : null;
    }

    @Override
    public Mono<FetchResult> fetch(UrlList.Entry entry, Track track) {
        return Mono.defer(() -> {
            track.started();
            Mono<Response> attempt = Mono.defer(() -> {
                track.attempt();
                return once(entry);
            }).transform(Deadline.timeout(settings.timeout()));
            if (bucket != null) {
                attempt = bucket.withToken(attempt);
            }
            if (retry != null) {
                attempt = attempt.retryWhen(retry);
            }
            return attempt
                    .map(r -> result(entry, track, r, null))
                    .onErrorResume(e -> Mono.just(result(entry, track, null, e)))
                    .doOnNext(r -> track.result = r);
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

    private static boolean retryable(Throwable failure) {
        if (failure instanceof RetryableStatus) {
            return true;
        }
        if (failure instanceof DeadlineExceededException) {
            return false;
        }
        String kind = Failure.of(failure).kind();
        return kind.equals("timeout") || kind.equals("connect") || kind.equals("closed");
    }

    private FetchResult result(UrlList.Entry entry, Track track, @Nullable Response response,
                                      @Nullable Throwable error) {
        Throwable e = error instanceof RetryExhaustedException && error.getCause() != null ? error.getCause() : error;
        Response r = e instanceof RetryableStatus rs ? rs.response : response;
        long ms = (System.nanoTime() - track.startNanos) / 1_000_000;
        int attempts = track.attempts.get();
        String url = entry.uri().toString();
        Duration timeout = settings.timeout();
        Integer status = r == null ? null : r.status;
        long bytes = r == null ? 0 : r.bytes;
        if (e instanceof DeadlineExceededException) {
            return attempts == 0
                    ? new FetchResult(entry.index(), url, null, 0, 0, 0,
                            "deadline exceeded before the request started", KIND_NOT_STARTED)
                    : new FetchResult(entry.index(), url, status, bytes, ms, attempts, "deadline exceeded",
                            KIND_DEADLINE);
        }
        if (r != null && (e != null || r.status >= 400)) {
            Failure f = Failure.status(r.status);
            return new FetchResult(entry.index(), url, status, bytes, ms, attempts, f.message(), f.kind());
        }
        if (e instanceof TimeoutException) {
            return new FetchResult(entry.index(), url, null, 0, ms, attempts,
                    "timeout: an attempt took longer than " + Durations.format(timeout), "timeout");
        }
        if (e != null) {
            Failure f = Failure.of(e);
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

    /** A retryable status (429, 502, 503, 504) as an error, with the server's {@code Retry-After}. */
    private static final class RetryableStatus extends RuntimeException implements RetryAfter {
        private static final long serialVersionUID = 1L;
        final transient Response response;

        RetryableStatus(Response response) {
            super("HTTP " + response.status, null, false, false);
            this.response = response;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(response.retryAfter);
        }
    }
}
