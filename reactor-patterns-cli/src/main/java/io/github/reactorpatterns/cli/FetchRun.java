package io.github.reactorpatterns.cli;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The fan-out of one {@code fetch} run: every URL through the engine with {@link Gather} (at most
 * {@code concurrency} at once; in input order for {@code --ordered}, else as they complete), under the run's
 * {@link Deadline} when one is set. Each request is counted by a {@link InFlight} counter so the summary can show
 * the concurrency actually observed.
 *
 * <p>When the deadline passes, {@code Deadline.withinFlux} cancels what is still running; every URL that has not
 * produced a result by then gets one afterwards, saying how far it got (never started, or cut off after N attempts),
 * so that the output always has exactly one line per URL.
 */
final class FetchRun {

    private final FetchEngine engine;
    private final FetchSettings settings;
    private final InFlight probe = new InFlight();

    FetchRun(FetchEngine engine, FetchSettings settings) {
        this.engine = engine;
        this.settings = settings;
    }

    /** One result per URL, lazily; never errors. */
    Flux<FetchResult> results(List<UrlList.Entry> urls) {
        return Flux.defer(() -> {
            FetchEngine.Track[] tracks = new FetchEngine.Track[urls.size()];
            for (int i = 0; i < tracks.length; i++) {
                tracks[i] = new FetchEngine.Track();
            }
            AtomicReferenceArray<FetchResult> emitted = new AtomicReferenceArray<>(urls.size());
            Function<UrlList.Entry, Mono<FetchResult>> one =
                    entry -> probe.track(engine.fetch(entry, tracks[entry.index()]));
            Flux<FetchResult> fan = Flux.fromIterable(urls)
                    .transform(settings.ordered()
                            ? Gather.ordered(settings.concurrency(), one)
                            : Gather.unordered(settings.concurrency(), one));
            if (settings.deadline() != null) {
                fan = fan.transform(Deadline.withinFlux(settings.deadline()))
                        .onErrorResume(DeadlineExceededException.class, e -> Flux.empty());
            }
            Flux<FetchResult> cutOff = Flux.defer(() -> Flux.fromIterable(urls)
                    .filter(entry -> emitted.get(entry.index()) == null)
                    .map(entry -> tracks[entry.index()].cutOff(entry)));
            return fan.doOnNext(result -> emitted.set(result.index(), result)).concatWith(cutOff);
        });
    }

    /** The most requests seen in flight at once so far. */
    int maxConcurrency() {
        return probe.max();
    }
}
