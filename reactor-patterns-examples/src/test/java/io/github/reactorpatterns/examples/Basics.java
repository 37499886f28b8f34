package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.reactorpatterns.concurrent.Outcome;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple3;

/** async/await basics and fixed fan-out: plain reactor-core ({@code Mono}, {@code Mono.zip}). */
final class Basics {

    private Basics() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchData[]
    // async def fetch_data(url) -> dict: await asyncio.sleep(1); return {...}
    static Mono<Map<String, String>> fetchData(String url) {
        return Mono.delay(Duration.ofSeconds(1))               // simulated I/O; no thread sleeps
                .map(tick -> Map.of("url", url, "data", "..."));
    }
    // end::fetchData[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchAllData[]
    // users, orders, products = await asyncio.gather(fetch_users(), fetch_orders(), fetch_products())
    static Mono<Tuple3<List<String>, List<String>, List<String>>> fetchAllData(
            Mono<List<String>> users, Mono<List<String>> orders, Mono<List<String>> products) {
        // All three are subscribed at once. Unlike gather, the first error cancels the other two.
        return Mono.zip(users, orders, products);
    }
    // end::fetchAllData[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchWithErrors[]
    // asyncio.gather(..., return_exceptions=True): every result settles, none fails the whole
    static Mono<Tuple3<Outcome<List<String>>, Outcome<List<String>>, Outcome<List<String>>>> fetchWithErrors(
            Mono<List<String>> users, Mono<List<String>> orders, Mono<List<String>> products) {
        return Mono.zip(Outcome.of(users), Outcome.of(orders), Outcome.of(products));
    }
    // end::fetchWithErrors[]
    // spotless:on
}
