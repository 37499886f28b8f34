package io.github.reactorpatterns.cli.demo;

import java.time.Duration;

import io.github.reactorpatterns.http.HttpStatusException;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.retry.RetryPolicy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The demo's HTTP calls, on {@link PooledHttpClient} with its own retries switched off, so that each step of the
 * tour shows the one pattern it is about.
 */
final class DemoHttp implements AutoCloseable {

    private final PooledHttpClient client = PooledHttpClient.builder()
            .name("reactor-patterns-demo")
            .retry(RetryPolicy.none())
            .build();

    /** GET {@code url}: the body as text; a non-2xx status fails with {@link HttpStatusException}. */
    Mono<String> get(String url) {
        return client.get(url).text();
    }

    /** GET {@code url} and stream the body as lines while it arrives ({@code ByteStreams.lines} inside). */
    Flux<String> lines(String url) {
        return client.get(url).lines();
    }

    @Override
    public void close() {
        client.close().block(Duration.ofSeconds(5));
    }
}
