package io.github.reactorpatterns.stream;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Lazy pagination: a {@link Flux} of the items of every page that fetches the next page only when its items are
 * wanted. The reactive form of a Python async generator that pages through an API ({@code while cursor: ...
 * yield item}).
 *
 * <p>reactor-core has no pagination operator. The usual hand-rolled forms have costs that these avoid:
 * {@code expand} subscribes the next fetch as soon as a page arrives, whatever the demand, and recursive
 * {@code concatWith} keeps one more inner subscriber per page (its buffers grow with the page count). Here:
 * <ul>
 *   <li><b>Lazy.</b> Nothing is fetched before subscription; each subscription starts from the first page again.
 *       With the default {@link PageOptions#DEFAULT_PREFETCH_PAGES} of {@code 0}, the next page is fetched only once
 *       every item already fetched has been requested, so {@code take(5)} on pages of 100 makes one fetch.</li>
 *   <li><b>Bounded.</b> At most {@code 1 + prefetchPages} pages are held at a time, however many pages there are.</li>
 *   <li><b>Sequential.</b> Pages are fetched one at a time, in order; items are emitted in page order.</li>
 *   <li><b>Errors.</b> A failed fetch ends the stream with its error, unchanged, after the items of the pages before
 *       it (unless {@link PageOptions#withRetry} retries it). A fetch function that throws or returns null fails the
 *       stream the same way.</li>
 *   <li><b>Cancel.</b> Cancelling cancels the fetch in flight; no further page is fetched.</li>
 * </ul>
 *
 * <pre>{@code
 * Flux<Item> items = Paginate.byCursor((Optional<String> cursor) -> api.list(cursor.orElse(null))
 *         .map(r -> new Page<>(r.items(), r.nextCursor())));        // null next cursor: last page
 * Flux<Row> rows = Paginate.byOffset(500, (offset, limit) -> repository.find(offset, limit));
 * }</pre>
 * (Java infers the cursor type of {@code byCursor} from the lambda's parameter: declare it, as above, or write
 * {@code Paginate.<Item, String>byCursor(cursor -> ...)}.)
 *
 * <p>The subscriber's {@link reactor.util.context.Context} reaches every fetch, so a deadline or trace id carried
 * there applies to each page.
 *
 * <p>Thread safety: the fetch function is called on the thread that requested items or on the one the previous
 * fetch completed on; calls never overlap within one subscription, and each call happens-after the previous page
 * arrived. Pages without items are skipped (paging goes on while they carry a next cursor).
 */
public final class Paginate {

    private Paginate() {}

    /**
     * Pages by cursor with the default {@link PageOptions}: see {@link #byCursor(Function, PageOptions)}.
     *
     * @param fetch fetches one page: called with {@link Optional#empty()} for the first page, then with the
     *              previous page's {@link Page#nextCursor()}
     * @param <T> the type of the items
     * @param <C> the type of the cursor
     * @return a lazy {@code Flux} of the items of every page
     * @throws NullPointerException if {@code fetch} is null
     */
    public static <T, C> Flux<T> byCursor(Function<Optional<C>, Mono<Page<T, C>>> fetch) {
        return byCursor(fetch, PageOptions.ofDefaults());
    }

    /**
     * Pages by cursor: fetches the first page with an empty cursor, then each next page with the cursor the previous
     * one returned, and emits the items of every page in order. Completes after a page without a next cursor, after
     * {@link PageOptions#maxPages()} pages, or when a fetch completes empty.
     *
     * <p>An API that returns a cursor it already returned would page forever: the stream fails with an
     * {@link IllegalStateException} naming the repeated cursor instead, after the items of the page that returned
     * it. To tell, the stream remembers each cursor of the subscription ({@code equals}/{@code hashCode}): one
     * reference per page.
     *
     * @param fetch fetches one page: called with {@link Optional#empty()} for the first page, then with the
     *              previous page's {@link Page#nextCursor()}; must not return null
     * @param options page limit, prefetch and retry
     * @param <T> the type of the items
     * @param <C> the type of the cursor
     * @return a lazy {@code Flux} of the items of every page
     * @throws NullPointerException if {@code fetch} or {@code options} is null
     */
    public static <T, C> Flux<T> byCursor(Function<Optional<C>, Mono<Page<T, C>>> fetch, PageOptions options) {
        Objects.requireNonNull(fetch, "fetch");
        Objects.requireNonNull(options, "options");
        return PageLoop.items(fetch, options, true);
    }

    /**
     * Pages by offset with the default {@link PageOptions}: see {@link #byOffset(int, BiFunction, PageOptions)}.
     *
     * @param pageSize the limit passed to every fetch, {@code > 0}
     * @param fetch fetches one page: called with the offset of its first item and the limit {@code pageSize}
     * @param <T> the type of the items
     * @return a lazy {@code Flux} of the items of every page
     * @throws IllegalArgumentException if {@code pageSize <= 0}
     * @throws NullPointerException if {@code fetch} is null
     */
    public static <T> Flux<T> byOffset(int pageSize, BiFunction<Long, Integer, Mono<List<T>>> fetch) {
        return byOffset(pageSize, fetch, PageOptions.ofDefaults());
    }

    /**
     * Pages by offset and limit: fetches {@code (0, pageSize)}, then from the offset just after the last item
     * received ({@code offset += items.size()}, as Python code usually does), and emits the items of every page in
     * order. Completes after the first empty page (or a fetch that completes empty), or after
     * {@link PageOptions#maxPages()} fetches.
     *
     * <p>A short page does not end the stream: an API may cap the limit below {@code pageSize}, and advancing by the
     * items actually received never skips any. The cost is one more fetch, the empty one, at the end.
     *
     * @param pageSize the limit passed to every fetch, {@code > 0}
     * @param fetch fetches one page: called with the offset of its first item and the limit {@code pageSize};
     *              must not return null, and the list must not contain null
     * @param options page limit, prefetch and retry
     * @param <T> the type of the items
     * @return a lazy {@code Flux} of the items of every page
     * @throws IllegalArgumentException if {@code pageSize <= 0}
     * @throws NullPointerException if {@code fetch} or {@code options} is null
     */
    public static <T> Flux<T> byOffset(
            int pageSize, BiFunction<Long, Integer, Mono<List<T>>> fetch, PageOptions options) {
        if (pageSize <= 0) {
            throw new IllegalArgumentException("pageSize > 0 required but it was " + pageSize);
        }
        Objects.requireNonNull(fetch, "fetch");
        Objects.requireNonNull(options, "options");
        Integer limit = pageSize;
        Function<Optional<Long>, Mono<Page<T, Long>>> byCursor = cursor -> {
            long offset = cursor.orElse(0L);
            Mono<List<T>> page = Objects.requireNonNull(fetch.apply(offset, limit), "fetch returned null");
            return page.map(
                    items -> items.isEmpty() ? Page.<T, Long>last(items) : Page.of(items, offset + items.size()));
        };
        return PageLoop.items(byCursor, options, false);
    }
}
