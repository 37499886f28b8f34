package io.github.reactorpatterns.examples;

import java.util.List;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.concurrent.Settled;
import io.github.reactorpatterns.examples.ContextManagers.Connection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code asyncio.gather} over a list, with and without a semaphore: {@link Gather} and plain reactor-core. */
final class FanOutRecipes {

    private FanOutRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchAll[]
    // async def fetch_all(urls): return await asyncio.gather(*[fetch_data(url) for url in urls])
    static Mono<List<String>> fetchAll(List<String> urls, Function<String, Mono<String>> fetchData) {
        return Flux.fromIterable(urls)
                .flatMapSequential(fetchData)     // all at once (up to 256 by default), results in input order
                .collectList();
    }
    // end::fetchAll[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchBatch[]
    // fetch_batch(ids, pool, max_concurrent=10): bounded_fetch = "async with sem: async with pool.acquire() as conn"
    static Mono<List<String>> fetchBatch(List<Integer> ids, Mono<Connection> acquire, int maxConcurrent) {
        return Gather.all(ids, maxConcurrent, id -> Mono.usingWhen(
                acquire,                                                   // async with pool.acquire() as conn
                conn -> conn.query("SELECT * FROM items WHERE id = " + id),
                Connection::close));                                       // released on error and cancel too
    }
    // end::fetchBatch[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchWithLimit[]
    // fetch_with_limit(urls, limit=10) with fetch_with_sem / fetch_one: "async with semaphore: return await fetch(url)"
    static Mono<List<String>> fetchWithLimit(List<String> urls, int limit, Function<String, Mono<String>> fetch) {
        return Gather.all(urls, limit, fetch);   // at most `limit` in flight; first error cancels the rest
    }

    // ... return await asyncio.gather(*tasks, return_exceptions=True): one Outcome per URL, in input order
    static Flux<Outcome<String>> fetchWithLimitSettled(List<String> urls, int limit,
                                                       Function<String, Mono<String>> fetch) {
        return Flux.fromIterable(urls).transform(Gather.settled(limit, fetch));
    }
    // end::fetchWithLimit[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchAllUrls[]
    // fetch_all_urls: gather(..., return_exceptions=True), then keep what is not an Exception
    static Mono<List<String>> fetchAllUrls(List<String> urls, int limit, Function<String, Mono<String>> fetchUrl) {
        return Gather.allSettled(urls, limit, fetchUrl)
                .map(Settled::successes);         // settled.failures() holds the errors, if you want to log them
    }
    // end::fetchAllUrls[]
    // spotless:on
}
