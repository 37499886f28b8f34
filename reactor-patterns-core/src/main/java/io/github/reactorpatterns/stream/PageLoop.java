package io.github.reactorpatterns.stream;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.util.retry.Retry;

/**
 * The page loop behind {@link Paginate}: one instance per subscription, a demand-driven loop behind
 * {@link Flux#create} that fetches one page at a time.
 *
 * <p>Why not plain operators: the fetch of page {@code k + 1} needs the cursor of page {@code k}, so it can only
 * start when page {@code k} arrives. {@code expand}, {@code repeat} and {@code concatMap} all subscribe the next
 * fetch when the previous one completes, which is after page {@code k} has been pushed downstream, whatever the
 * demand; recursive {@code concatWith} grows with the page count. This loop starts the next fetch when a page
 * arrives, before emitting it, if fewer pages are held than the demand for pages plus {@code prefetchPages}; so
 * {@code take(5)} makes exactly one fetch without prefetch and two with a prefetch of one, whatever the threads.
 *
 * <p>Thread safety: requests, cancellation and fetch results arrive on any thread; {@link #drain()} serializes
 * their handling (work-in-progress counter, trampolined, so synchronous fetches never recurse). Fields below
 * {@code drain-only} are touched only inside it.
 */
final class PageLoop<T, C> {

    private final FluxSink<Page<T, C>> sink;
    private final Function<Optional<C>, Mono<Page<T, C>>> fetch;
    private final long maxPages;
    private final int prefetchPages;
    private final @Nullable Retry retry;
    private final @Nullable Set<C> seenCursors;

    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong demand = new AtomicLong();
    private final Disposable.Swap inFlight = Disposables.swap();
    private volatile @Nullable Signal<Page<T, C>> arrived;
    private volatile boolean requestedOnce;
    private volatile boolean cancelled;

    // drain-only
    private final ArrayDeque<Page<T, C>> ready = new ArrayDeque<>();
    private long fetches;
    private boolean fetching;
    private boolean exhausted;
    private boolean terminated;
    private @Nullable C nextCursor;
    private @Nullable Throwable failure;

    private PageLoop(
            FluxSink<Page<T, C>> sink,
            Function<Optional<C>, Mono<Page<T, C>>> fetch,
            PageOptions options,
            boolean trackCursors) {
        this.sink = sink;
        this.fetch = fetch;
        this.maxPages = options.maxPages();
        this.prefetchPages = options.prefetchPages();
        this.retry = options.retry().orElse(null);
        this.seenCursors = trackCursors ? new HashSet<>() : null;
    }

    static <T, C> Flux<T> items(
            Function<Optional<C>, Mono<Page<T, C>>> fetch, PageOptions options, boolean trackCursors) {
        Flux<Page<T, C>> pages = Flux.create(sink -> new PageLoop<>(sink, fetch, options, trackCursors).start());
        // One page at a time: the next page is requested when the last item of the previous one has been emitted.
        // END: an error the loop reports after the pages before it waits until their items have been emitted.
        return pages.concatMapDelayError(page -> Flux.fromIterable(page.items()), true, 0);
    }

    private void start() {
        sink.onRequest(this::request);
        sink.onDispose(this::cancel);
    }

    private void request(long n) {
        demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
        requestedOnce = true;
        drain();
    }

    private void cancel() {
        cancelled = true;
        inFlight.dispose();
        drain();
    }

    private void arrive(Signal<Page<T, C>> signal) {
        arrived = signal;
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (cancelled || terminated) {
                ready.clear();
            } else {
                Signal<Page<T, C>> signal = arrived;
                if (signal != null) {
                    arrived = null;
                    fetching = false;
                    accept(signal);
                }
                // Fetch before emitting: a page fetched ahead is then in flight while this one is consumed.
                maybeFetch();
                emitOrTerminate();
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Starts the next fetch if fewer pages are held than wanted: the demand for pages plus the prefetch. */
    private void maybeFetch() {
        if (!fetching && requestedOnce && canFetch() && ready.size() < demand.get() + prefetchPages) {
            startFetch();
        }
    }

    private boolean canFetch() {
        return !exhausted && failure == null && fetches < maxPages;
    }

    private void emitOrTerminate() {
        while (!ready.isEmpty() && demand.get() > 0) {
            Page<T, C> page = ready.poll();
            if (demand.get() != Long.MAX_VALUE) {
                demand.decrementAndGet();
            }
            sink.next(page);
            if (cancelled) {
                return;
            }
            maybeFetch();
        }
        if (ready.isEmpty() && !fetching && !canFetch()) {
            terminated = true;
            Throwable error = failure;
            if (error != null) {
                sink.error(error);
            } else {
                sink.complete();
            }
        }
    }

    private void accept(Signal<Page<T, C>> signal) {
        Page<T, C> page = signal.get();
        if (page != null) {
            if (!page.items().isEmpty()) {
                ready.add(page);
            }
            C next = page.nextCursor();
            if (next == null) {
                exhausted = true;
            } else if (seenCursors != null && !seenCursors.add(next)) {
                failure = new IllegalStateException("next cursor " + next + " repeated: page " + fetches
                        + " returned a cursor that an earlier page already returned; paging would loop forever");
            } else {
                nextCursor = next;
            }
        } else if (signal.isOnError()) {
            failure = signal.getThrowable();
        } else {
            exhausted = true; // the fetch completed empty
        }
    }

    private void startFetch() {
        fetching = true;
        Optional<C> cursor = fetches == 0 ? Optional.empty() : Optional.ofNullable(nextCursor);
        fetches++;
        Mono<Page<T, C>> page = Mono.defer(() -> Objects.requireNonNull(fetch.apply(cursor), "fetch returned null"));
        if (retry != null) {
            page = page.retryWhen(retry);
        }
        inFlight.update(page.materialize().contextWrite(sink.contextView()).subscribe(this::arrive));
    }
}
