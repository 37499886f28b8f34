package io.github.reactorpatterns.cli;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The fan-out of one {@code fetch} run: every URL through the engine, at most {@code concurrency} at once, results
 * in input order ({@code --ordered}) or as they complete; each request is counted by a {@link ConcurrencyProbe} so the
 * summary can show the concurrency actually observed.
 */
final class FetchRun {

    private final FetchEngine engine;
    private final FetchSettings settings;
    private final ConcurrencyProbe probe = ConcurrencyProbe.create();

    FetchRun(FetchEngine engine, FetchSettings settings) {
        this.engine = engine;
        this.settings = settings;
    }

    /** The results, lazily; never errors. */
    Flux<FetchResult> results(List<UrlList.Entry> urls) {
        Function<UrlList.Entry, Mono<FetchResult>> one = entry -> probe.wrap(engine.fetch(entry));
        Flux<UrlList.Entry> source = Flux.fromIterable(urls);
        return settings.ordered()
                ? source.flatMapSequential(one, settings.concurrency(), 1)
                : source.flatMap(one, settings.concurrency(), 1);
    }

    /** The most requests seen in flight at once so far. */
    int maxConcurrency() {
        return probe.max();
    }
}
