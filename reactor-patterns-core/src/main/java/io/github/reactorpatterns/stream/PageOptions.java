package io.github.reactorpatterns.stream;

import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import reactor.util.retry.Retry;

/**
 * How {@link Paginate} fetches pages: the most pages to fetch, how many pages to fetch ahead of demand, and how to
 * retry a failed page. Immutable and thread-safe; every {@code with*} method returns a new instance, so one options
 * value can be shared and refined freely.
 *
 * <pre>{@code
 * PageOptions options = PageOptions.ofDefaults()
 *         .withMaxPages(50)
 *         .withPrefetchPages(1)
 *         .withRetry(Retry.backoff(3, Duration.ofMillis(100)));   // or a RetryPolicy's Retry
 * }</pre>
 */
public final class PageOptions {

    /** Default {@link #maxPages()}: no limit. */
    public static final long DEFAULT_MAX_PAGES = Long.MAX_VALUE;

    /**
     * Default {@link #prefetchPages()}: {@code 0}, the next page is fetched only once every item already fetched has
     * been requested downstream.
     */
    public static final int DEFAULT_PREFETCH_PAGES = 0;

    private static final PageOptions DEFAULTS = new PageOptions(DEFAULT_MAX_PAGES, DEFAULT_PREFETCH_PAGES, null);

    private final long maxPages;
    private final int prefetchPages;
    private final @Nullable Retry retry;

    private PageOptions(long maxPages, int prefetchPages, @Nullable Retry retry) {
        this.maxPages = maxPages;
        this.prefetchPages = prefetchPages;
        this.retry = retry;
    }

    /**
     * The defaults: no page limit ({@link #DEFAULT_MAX_PAGES}), no prefetch ({@link #DEFAULT_PREFETCH_PAGES}), no
     * retry (a failed page fetch ends the stream with its error).
     *
     * @return the default options
     */
    public static PageOptions ofDefaults() {
        return DEFAULTS;
    }

    /**
     * The same options with a limit on the number of page fetches: after {@code maxPages} fetches the stream
     * completes even if the last page has a next cursor. Retried attempts of one page count as one fetch.
     *
     * @param maxPages the most pages to fetch, {@code > 0}; {@link #DEFAULT_MAX_PAGES} means no limit
     * @return new options
     * @throws IllegalArgumentException if {@code maxPages <= 0}
     */
    public PageOptions withMaxPages(long maxPages) {
        if (maxPages <= 0) {
            throw new IllegalArgumentException("maxPages > 0 required but it was " + maxPages);
        }
        return new PageOptions(maxPages, prefetchPages, retry);
    }

    /**
     * The same options with read-ahead: up to {@code prefetchPages} pages are fetched (one at a time, in order)
     * beyond the page whose items are being emitted, and held until requested. With {@code 0} (the default) the
     * next page is fetched only once every item already fetched has been requested downstream; with {@code 1} the
     * next page is fetched as soon as the current one arrives, before its items are emitted, hiding the latency of
     * the next fetch behind the consumer's work ({@code take(5)} on pages of 100 then makes two fetches). Fetching
     * starts at the first request, never before.
     *
     * @param prefetchPages how many pages to fetch ahead of demand, {@code >= 0}
     * @return new options
     * @throws IllegalArgumentException if {@code prefetchPages < 0}
     */
    public PageOptions withPrefetchPages(int prefetchPages) {
        if (prefetchPages < 0) {
            throw new IllegalArgumentException("prefetchPages >= 0 required but it was " + prefetchPages);
        }
        return new PageOptions(maxPages, prefetchPages, retry);
    }

    /**
     * The same options with a retry for each page fetch: a failed fetch of one page is retried (the fetch function
     * is called again with the same cursor or offset) as {@code retry} decides, through
     * {@link reactor.core.publisher.Mono#retryWhen(Retry)}. When it gives up, its error (for example
     * {@code Retry.backoff}'s exhaustion error) ends the stream. A {@code RetryPolicy}'s built {@code Retry} plugs in
     * here. A retry that waits uses its own scheduler.
     *
     * @param retry the retry applied to every page fetch
     * @return new options
     * @throws NullPointerException if {@code retry} is null
     */
    public PageOptions withRetry(Retry retry) {
        return new PageOptions(maxPages, prefetchPages, Objects.requireNonNull(retry, "retry"));
    }

    /**
     * The most pages to fetch.
     *
     * @return the page limit; {@link #DEFAULT_MAX_PAGES} means no limit
     */
    public long maxPages() {
        return maxPages;
    }

    /**
     * How many pages are fetched ahead of demand.
     *
     * @return the prefetch, {@code >= 0}
     */
    public int prefetchPages() {
        return prefetchPages;
    }

    /**
     * The retry applied to each page fetch.
     *
     * @return the retry, or empty if a failed fetch is not retried
     */
    public Optional<Retry> retry() {
        return Optional.ofNullable(retry);
    }

    /**
     * Describes these options.
     *
     * @return a readable description
     */
    @Override
    public String toString() {
        return "PageOptions{maxPages=" + (maxPages == DEFAULT_MAX_PAGES ? "unlimited" : maxPages) + ", prefetchPages="
                + prefetchPages + ", retry=" + retry + "}";
    }
}
