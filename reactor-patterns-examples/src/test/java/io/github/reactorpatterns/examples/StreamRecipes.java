package io.github.reactorpatterns.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.github.reactorpatterns.stream.ByteStreams;
import io.github.reactorpatterns.stream.Page;
import io.github.reactorpatterns.stream.Paginate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Async generators: {@link Paginate} for paging loops, {@link ByteStreams} for lines and chunks. */
final class StreamRecipes {

    /** One response of a paged API that links to the next page. */
    record Response(List<String> data, @Nullable String nextUrl) {}

    private StreamRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::streamResults[]
    // async def stream_results(query): offset = 0; while True: batch = await fetch_batch(query, offset) ...
    static Flux<String> streamResults(String query, BiFunction<String, Long, Mono<List<String>>> fetchBatch) {
        return Paginate.byOffset(100, (offset, limit) -> fetchBatch.apply(query, offset));   // ends on an empty batch
    }

    // async for result in stream_results("SELECT *"): process(result)
    static Mono<Void> consume(Flux<String> results, Function<String, Mono<Void>> process) {
        return results.concatMap(process).then();       // one at a time; the next page is fetched when needed
    }
    // end::streamResults[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchPages[]
    // async def fetch_pages(url): while next_url: response = await fetch(next_url); yield response.data ...
    static Flux<List<String>> fetchPages(String url, Function<String, Mono<Response>> fetch) {
        return Paginate.byCursor((Optional<String> nextUrl) -> fetch.apply(nextUrl.orElse(url))
                .map(response -> new Page<>(List.of(response.data()), response.nextUrl())));   // null: last page
    }

    // process_all_pages: async for page in fetch_pages(...): for item in page.items: await process_item(item)
    static Mono<Void> processAllPages(Function<String, Mono<Response>> fetch, Function<String, Mono<Void>> process) {
        return fetchPages("/api/items", fetch)
                .concatMapIterable(page -> page)
                .concatMap(process)
                .then();
    }

    // get_all_items: [item async for page in fetch_pages("/api/items") for item in page.items]
    static Mono<List<String>> getAllItems(Function<String, Mono<Response>> fetch) {
        return fetchPages("/api/items", fetch)
                .concatMapIterable(page -> page)
                .collectList();                                       // the async comprehension
    }
    // end::fetchPages[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::lines[]
    // async for line in resp.aiter_lines(): if line.strip(): yield line   -- from any Flux<ByteBuffer>
    static Flux<String> nonBlankLines(Flux<ByteBuffer> body) {
        return ByteStreams.lines(body, StandardCharsets.UTF_8, 64 * 1024)   // lines across chunk boundaries
                .filter(line -> !line.isBlank());
    }

    // async for chunk in response.content.iter_chunked(8192): ...
    static Flux<ByteBuffer> chunks(Flux<ByteBuffer> body) {
        return ByteStreams.rechunk(body, 8192);                 // exactly 8192 bytes each, the last one shorter
    }
    // end::lines[]
    // spotless:on
}
