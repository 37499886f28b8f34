package io.github.reactorpatterns.stream;

import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.util.retry.Retry;

/**
 * The page loop behind {@link Paginate}: one instance per subscription, the state of a {@code Flux.generate} that
 * emits one lazy page fetch at a time.
 *
 * <p>Why this shape: the fetch of page {@code k + 1} needs the cursor of page {@code k}. {@code Flux.generate} is
 * called for the next fetch only when its consumer requests one more, and every consumer below is a
 * {@code concatMap(..., 0)}, which requests the next fetch only after the previous one has completed. So the
 * generator always sees the answer of the previous fetch, demand drives every fetch, and nothing is buffered beyond
 * the pages in flight (unlike recursive {@code concatWith}, whose stack of inners grows with the page count, or
 * {@code expand}, which subscribes the next fetch as soon as a page arrives, whatever the demand).
 *
 * <p>Thread safety: {@link #step} runs serially (generate's contract); {@link #received} runs on the fetch's thread.
 * Each happens-before the other through concatMap's atomic hand-over between one fetch and the next.
 */
final class PageLoop<T, C> {

    private final Function<Optional<C>, Mono<Page<T, C>>> fetch;
    private final long maxPages;
    private final @Nullable Retry retry;
    private final @Nullable Set<C> seenCursors;

    private long fetches;
    private volatile boolean arrived;
    private volatile @Nullable C nextCursor;

    private PageLoop(Function<Optional<C>, Mono<Page<T, C>>> fetch, PageOptions options, boolean trackCursors) {
        this.fetch = fetch;
        this.maxPages = options.maxPages();
        this.retry = options.retry().orElse(null);
        this.seenCursors = trackCursors ? new HashSet<>() : null;
    }

    static <T, C> Flux<T> items(Function<Optional<C>, Mono<Page<T, C>>> fetch, PageOptions options,
                                boolean trackCursors) {
        Flux<Mono<Page<T, C>>> fetches = Flux.generate(
                () -> new PageLoop<>(fetch, options, trackCursors), PageLoop::step);
        int prefetch = options.prefetchPages();
        if (prefetch == 0) {
            // The next fetch is requested when the previous page's last item has been emitted.
            return fetches.concatMap(page -> page.flatMapIterable(Page::items), 0);
        }
        // Subscribes the next fetch as soon as the previous page has been emitted: one page ahead of demand.
        Flux<Page<T, C>> pages = fetches.concatMap(Function.identity(), 0);
        if (prefetch > 1) {
            // Holds up to prefetch - 1 more pages, replenished one by one.
            pages = pages.limitRate(prefetch - 1, 1);
        }
        // END: an error of a page fetched ahead waits until the items of the pages before it have been emitted.
        return pages.concatMapDelayError(page -> Flux.fromIterable(page.items()), true, 0);
    }

    private PageLoop<T, C> step(SynchronousSink<Mono<Page<T, C>>> sink) {
        if (fetches == 0) {
            sink.next(fetch(Optional.empty()));
            return this;
        }
        C cursor = nextCursor;
        if (!arrived || cursor == null || fetches == maxPages) {
            sink.complete();
            return this;
        }
        if (seenCursors != null && !seenCursors.add(cursor)) {
            sink.error(new IllegalStateException("next cursor " + cursor + " repeated: page " + fetches
                    + " returned a cursor that an earlier page already returned; paging would loop forever"));
            return this;
        }
        sink.next(fetch(Optional.of(cursor)));
        return this;
    }

    private Mono<Page<T, C>> fetch(Optional<C> cursor) {
        fetches++;
        arrived = false;
        nextCursor = null;
        Mono<Page<T, C>> page = Mono.defer(() -> Objects.requireNonNull(fetch.apply(cursor), "fetch returned null"));
        if (retry != null) {
            page = page.retryWhen(retry);
        }
        return page.doOnNext(this::received);
    }

    private void received(Page<T, C> page) {
        nextCursor = page.nextCursor();
        arrived = true;
    }
}
