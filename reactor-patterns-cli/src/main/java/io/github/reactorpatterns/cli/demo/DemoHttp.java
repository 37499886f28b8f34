package io.github.reactorpatterns.cli.demo;

import io.github.reactorpatterns.retry.RetryAfter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** The demo's HTTP calls: GET a body as text (non-2xx fails with {@link HttpError}) or stream it as chunks. */
final class DemoHttp implements AutoCloseable {

    private final ConnectionProvider pool = ConnectionProvider.builder("reactor-patterns-demo")
            .maxConnections(64)
            .pendingAcquireMaxCount(-1)
            .build();
    private final HttpClient client = HttpClient.create(pool).disableRetry(true);

    /** GET {@code url}; the body as text, or {@link HttpError} for a status of 400 or more. */
    Mono<String> get(String url) {
        return client.get().uri(url).responseSingle((response, body) -> {
            int status = response.status().code();
            Mono<String> text = body.asString().defaultIfEmpty("");
            if (status >= 400) {
                String retryAfter = response.responseHeaders().get("Retry-After");
                return text.flatMap(t -> Mono.error(new HttpError(status, url, retryAfter)));
            }
            return text;
        });
    }

    /** GET {@code url} and stream the body as it arrives, each chunk copied out of Netty's pooled buffers. */
    Flux<ByteBuffer> stream(String url) {
        return client.get().uri(url).responseContent().asByteArray().map(ByteBuffer::wrap);
    }

    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(5));
    }

    /** A response with a status of 400 or more; carries {@code Retry-After} (seconds) for {@code RetryPolicy}. */
    static final class HttpError extends RuntimeException implements RetryAfter {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient @Nullable Duration retryAfter;

        HttpError(int status, String url, @Nullable String retryAfter) {
            super("HTTP " + status + " from " + url, null, false, false);
            this.status = status;
            Duration hint = null;
            if (retryAfter != null) {
                try {
                    hint = Duration.ofSeconds(Long.parseLong(retryAfter.strip()));
                } catch (NumberFormatException e) {
                    hint = null;
                }
            }
            this.retryAfter = hint;
        }

        int status() {
            return status;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }
    }
}
