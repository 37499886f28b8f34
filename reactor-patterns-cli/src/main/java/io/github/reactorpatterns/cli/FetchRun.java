package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The fan-out of one {@code fetch} run: every URL through the engine with {@link Gather} (at most
 * {@code concurrency} at once; in input order for {@code --ordered}, else as they complete), under the run's
 * {@link Deadline} when one is set. Each request is counted by a {@link InFlight} counter so the summary can show
 * the concurrency actually observed.
 *
 * <p>When the deadline passes, what is still running is cancelled and every URL that has not produced a result by
 * then gets one saying how far it got (never started, or cut off after N attempts), so that the output always has
 * exactly one line per URL. In input order that is {@link Gather#settledWithin}: results that finished in time
 * behind a slow one are kept, the rest settle as deadline failures in their place. In completion order the
 * finished results have already been written when the deadline passes, and the cut-off ones follow in input order.
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
            Function<UrlList.Entry, Mono<FetchResult>> one =
                    entry -> probe.track(engine.fetch(entry, tracks[entry.index()]));
            Flux<UrlList.Entry> entries = Flux.fromIterable(urls);
            Duration deadline = settings.deadline();
            if (deadline == null) {
                return entries.transform(
                        settings.ordered()
                                ? Gather.ordered(settings.concurrency(), one)
                                : Gather.unordered(settings.concurrency(), one));
            }
            if (settings.ordered()) {
                // one outcome per URL, in input order: a failure is the deadline (the engine settles every other
                // error into its result)
                return entries.transform(Gather.settledWithin(deadline, settings.concurrency(), one))
                        .zipWithIterable(
                                urls,
                                (outcome, entry) ->
                                        outcome.value().orElseGet(() -> tracks[entry.index()].cutOff(entry)));
            }
            AtomicReferenceArray<FetchResult> emitted = new AtomicReferenceArray<>(urls.size());
            Flux<FetchResult> fan = entries.transform(Gather.unordered(settings.concurrency(), one))
                    .transform(Deadline.withinFlux(deadline))
                    .onErrorResume(DeadlineExceededException.class, e -> Flux.empty());
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
