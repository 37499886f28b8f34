package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class StreamRecipesTest {

    private final List<Long> offsets = new CopyOnWriteArrayList<>();

    /** 250 rows, served in batches of at most 100; records each offset asked for. */
    private Mono<List<String>> fetchBatch(String query, long offset) {
        offsets.add(offset);
        return Mono.delay(Duration.ofMillis(10))
                .map(tick -> LongStream.range(offset, Math.min(250, offset + 100))
                        .mapToObj(i -> query + " row " + i)
                        .toList());
    }

    @Test
    void streamResultsPagesByOffsetUntilAnEmptyBatch() {
        StepVerifier.withVirtualTime(() -> StreamRecipes.streamResults("q", this::fetchBatch))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext("q row 0")
                .expectNextCount(248)
                .expectNext("q row 249")
                .verifyComplete();
        assertThat(offsets).containsExactly(0L, 100L, 200L, 250L);
    }

    @Test
    void streamResultsIsLazy() {
        StepVerifier.withVirtualTime(
                        () -> StreamRecipes.streamResults("q", this::fetchBatch).take(5))
                .thenAwait(Duration.ofSeconds(1))
                .expectNextCount(5)
                .verifyComplete();
        assertThat(offsets).containsExactly(0L);
    }

    @Test
    void consumeProcessesEveryRowInOrder() {
        List<String> processed = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> StreamRecipes.consume(
                        StreamRecipes.streamResults("q", this::fetchBatch),
                        row -> Mono.fromRunnable(() -> processed.add(row))))
                .thenAwait(Duration.ofSeconds(1))
                .verifyComplete();
        assertThat(processed).hasSize(250).startsWith("q row 0").endsWith("q row 249");
    }

    private static final Map<String, StreamRecipes.Response> PAGES = Map.of(
            "/api/items", new StreamRecipes.Response(List.of("a", "b"), "/api/items?page=2"),
            "/api/items?page=2", new StreamRecipes.Response(List.of("c"), "/api/items?page=3"),
            "/api/items?page=3", new StreamRecipes.Response(List.of("d", "e"), null));

    private final List<String> fetched = new CopyOnWriteArrayList<>();
    private final Function<String, Mono<StreamRecipes.Response>> fetch = url -> Mono.fromSupplier(() -> {
        fetched.add(url);
        return PAGES.get(url);
    });

    @Test
    void fetchPagesFollowsNextUrlsLazily() {
        StepVerifier.create(StreamRecipes.fetchPages("/api/items", fetch), 1)
                .expectNext(List.of("a", "b"))
                // the next page is fetched once every item fetched so far was requested, not one page earlier
                .then(() -> assertThat(fetched).containsExactly("/api/items", "/api/items?page=2"))
                .thenRequest(5)
                .expectNext(List.of("c"), List.of("d", "e"))
                .verifyComplete();
    }

    @Test
    void getAllItemsIsTheAsyncComprehension() {
        StepVerifier.create(StreamRecipes.getAllItems(fetch))
                .expectNext(List.of("a", "b", "c", "d", "e"))
                .verifyComplete();
    }

    @Test
    void processAllPagesProcessesEachItemOnce() {
        List<String> processed = new CopyOnWriteArrayList<>();
        StepVerifier.create(StreamRecipes.processAllPages(fetch, item -> Mono.fromRunnable(() -> processed.add(item))))
                .verifyComplete();
        assertThat(processed).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void processAllPagesStopsAtTheFirstFailedPage() {
        Function<String, Mono<StreamRecipes.Response>> failing =
                url -> url.endsWith("3") ? Mono.error(new IllegalStateException("503")) : fetch.apply(url);
        List<String> processed = new CopyOnWriteArrayList<>();
        StepVerifier.create(
                        StreamRecipes.processAllPages(failing, item -> Mono.fromRunnable(() -> processed.add(item))))
                .verifyErrorMessage("503");
        assertThat(processed).containsExactly("a", "b", "c");
    }

    private static Flux<ByteBuffer> bytes(String... parts) {
        return Flux.fromArray(parts).map(p -> ByteBuffer.wrap(p.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void nonBlankLinesJoinsLinesSplitAcrossChunksAndSkipsBlankOnes() {
        StepVerifier.create(StreamRecipes.nonBlankLines(bytes("{\"id\":1}\n{\"i", "d\":2}\r\n\n  \n{\"id\":3}")))
                .expectNext("{\"id\":1}", "{\"id\":2}", "{\"id\":3}")
                .verifyComplete();
        StepVerifier.create(StreamRecipes.nonBlankLines(Flux.empty())).verifyComplete();
    }

    @Test
    void chunksAreExactly8192BytesButTheLast() {
        Flux<ByteBuffer> body = Flux.range(0, 5).map(i -> ByteBuffer.allocate(5000)); // 25,000 bytes
        StepVerifier.create(StreamRecipes.chunks(body).map(ByteBuffer::remaining))
                .expectNext(8192, 8192, 8192, 424)
                .verifyComplete();
    }
}
