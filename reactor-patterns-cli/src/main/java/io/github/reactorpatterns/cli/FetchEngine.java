package io.github.reactorpatterns.cli;

import reactor.core.publisher.Mono;

/**
 * Fetches one URL with everything the settings ask for per request (rate limit, retries, per-attempt timeout, the
 * run's deadline) and reports the outcome. The fan-out, ordering and accounting around it live in {@link FetchRun}.
 *
 * <p>A seam for tests: {@code fetch} itself runs on {@link PooledFetchEngine}.
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
     * @return one result, lazily
     */
    Mono<FetchResult> fetch(UrlList.Entry entry);

    /** Releases pooled connections; called once, after the run. */
    @Override
    void close();

    /** Builds an engine for one run. */
    @FunctionalInterface
    interface Factory {

        /**
         * @param settings    the validated settings
         * @param deadlineAt  {@link System#nanoTime()} at which the run's deadline passes, or {@code Long.MAX_VALUE}
         * @return a new engine
         */
        FetchEngine create(FetchSettings settings, long deadlineAt);
    }
}
