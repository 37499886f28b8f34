package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.Timeouts;
import reactor.core.publisher.Mono;

/** {@code asyncio.timeout} and {@code wait_for}: Reactor's {@code timeout}, {@link Timeouts} and {@link Deadline}. */
final class TimeoutRecipes {

    private TimeoutRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchWithTimeout[]
    // async def fetch_with_timeout(url, timeout=5.0): async with asyncio.timeout(timeout): return await fetch(url)
    static Mono<String> fetchWithTimeout(String url, Duration timeout, Function<String, Mono<String>> fetch) {
        return fetch.apply(url)
                .transform(Deadline.within(timeout));   // DeadlineExceededException, a TimeoutException
    }

    // the variant that logs and re-raises: except asyncio.TimeoutError: logger.error(...); raise
    static Mono<String> fetchWithTimeoutLogged(String url, Duration timeout, Function<String, Mono<String>> fetch,
                                               Consumer<String> log) {
        return fetchWithTimeout(url, timeout, fetch)
                .doOnError(TimeoutException.class, e -> log.accept("Timeout fetching " + url));
    }
    // end::fetchWithTimeout[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::orNone[]
    // try: async with asyncio.timeout(timeout): ...  except asyncio.TimeoutError: return None
    static Mono<String> fetchOrNone(String url, Duration timeout, Function<String, Mono<String>> fetch) {
        return fetch.apply(url).transform(Timeouts.orEmpty(timeout));     // None is an empty Mono
    }

    // fetch_with_wait_for: asyncio.wait_for(fetch_url_internal(url), timeout=timeout) -- a single call
    static Mono<String> fetchWithWaitFor(String url, Duration timeout, Function<String, Mono<String>> fetch) {
        return fetch.apply(url).timeout(timeout);                          // plain Reactor: TimeoutException
    }
    // end::orNone[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::nested[]
    // What asyncio.timeout gives and wait_for does not: one deadline for everything awaited inside it.
    static Mono<String> loadPage(Function<String, Mono<String>> call) {
        return call.apply("/profile")
                .flatMap(profile -> call.apply("/orders")
                        .transform(Deadline.timeout(Duration.ofSeconds(2))))   // 2 s, or less if the page has less
                .transform(Deadline.within(Duration.ofSeconds(3)));          // the whole page: 3 s
    }
    // end::nested[]
    // spotless:on
}
