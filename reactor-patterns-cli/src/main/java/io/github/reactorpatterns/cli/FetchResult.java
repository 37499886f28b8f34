package io.github.reactorpatterns.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of fetching one URL: one NDJSON line of {@code fetch}'s output.
 *
 * @param index    position among the input URLs (not written)
 * @param url      the URL as given
 * @param status   the HTTP status of the last attempt, or {@code null} when no response arrived
 * @param bytes    body bytes received in the last attempt
 * @param ms       wall time from the first attempt's start to the end, retries and waits included
 * @param attempts how many attempts were made: 0 when the run's deadline passed before the request was started,
 *                 {@code null} when the deadline cut it off once started (the run may cancel the request before the
 *                 HTTP client reports its count) or the failure came from elsewhere than the client's attempts
 * @param error    what went wrong, or {@code null} on success
 * @param kind     failure category for the summary ({@code http 503}, {@code timeout}, ...), {@code null} on success
 *                 (not written)
 */
@JsonPropertyOrder({"url", "status", "bytes", "ms", "attempts", "error"})
@JsonInclude(JsonInclude.Include.ALWAYS)
record FetchResult(
        @JsonIgnore int index,
        String url,
        @Nullable Integer status,
        long bytes,
        long ms,
        @Nullable Integer attempts,
        @Nullable String error,
        @JsonIgnore @Nullable String kind) {

    /** Whether the URL was fetched with a 2xx or 3xx status. */
    @JsonIgnore
    boolean isSuccess() {
        return error == null;
    }
}
