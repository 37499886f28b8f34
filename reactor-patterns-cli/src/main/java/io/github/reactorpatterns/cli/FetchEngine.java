package io.github.reactorpatterns.cli;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Fetches one URL with everything the settings ask for per request (rate limit, retries, per-attempt timeout) and
 * reports the outcome; the run's deadline reaches it through the Reactor {@code Context}
 * ({@link io.github.reactorpatterns.time.Deadline}). The fan-out, ordering and accounting around it live in
 * {@link FetchRun}.
 *
 * <p>A seam: tests plug in engines that need no network.
 */
interface FetchEngine extends AutoCloseable {

    /** Failure kind of a URL that was never tried because the run's deadline had passed. */
    String KIND_NOT_STARTED = "deadline (not started)";

    /** Failure kind of a URL whose attempt was cut off by the run's deadline. */
    String KIND_DEADLINE = "deadline";

    /**
     * Fetches {@code entry}; the returned {@code Mono} never errors: a failure is a result with {@code error} set.
     *
     * @param entry the URL and its position
     * @param track where the engine records that the URL was started, so that a run cut off by its deadline can
     *              still say how far each URL got
     * @return one result, lazily
     */
    Mono<FetchResult> fetch(UrlList.Entry entry, Track track);

    /** Releases pooled connections; called once, after the run. */
    @Override
    void close();

    /** Builds an engine for one run. */
    @FunctionalInterface
    interface Factory {

        /**
         * @param settings the validated settings
         * @return a new engine
         */
        FetchEngine create(FetchSettings settings);
    }

    /** How far one URL got: written by the engine, read by {@link FetchRun} when the deadline cut the run. */
    final class Track {
        volatile long startNanos;
        volatile @Nullable FetchResult result;

        /** Call when the request is handed to the HTTP client. */
        void started() {
            if (startNanos == 0) {
                startNanos = System.nanoTime();
            }
        }

        /** The result for a URL that got none because the run's deadline passed. */
        FetchResult cutOff(UrlList.Entry entry) {
            FetchResult done = result;
            if (done != null) {
                return done;
            }
            String url = entry.uri().toString();
            long start = startNanos;
            if (start == 0) {
                return new FetchResult(
                        entry.index(),
                        url,
                        null,
                        0,
                        0,
                        0,
                        "deadline exceeded before the request started",
                        KIND_NOT_STARTED);
            }
            // cancelled inside the HTTP client (waiting for a token, a permit, a response or a back-off): a cancelled
            // request reports no attempt count
            long ms = (System.nanoTime() - start) / 1_000_000;
            return new FetchResult(entry.index(), url, null, 0, ms, null, "deadline exceeded", KIND_DEADLINE);
        }
    }
}
