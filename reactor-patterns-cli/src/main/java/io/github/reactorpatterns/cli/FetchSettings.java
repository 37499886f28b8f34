package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Everything {@code fetch} was told on the command line about how to fetch, validated.
 *
 * @param concurrency most requests in flight at once
 * @param rate        most attempts per period, or {@code null} for no rate limit
 * @param burst       attempts that may start at once before the rate applies
 * @param retries     retries per URL after the first attempt
 * @param timeout     limit on each attempt
 * @param deadline    limit on the whole run, or {@code null} for none
 * @param method      the HTTP method
 * @param headers     extra request headers (name, value)
 * @param http2       whether to offer HTTP/2 (h2 over TLS, h2c in clear text)
 * @param ordered     whether results are written in input order rather than completion order
 */
record FetchSettings(
        int concurrency,
        @Nullable Rate rate,
        int burst,
        int retries,
        Duration timeout,
        @Nullable Duration deadline,
        String method,
        List<Map.Entry<String, String>> headers,
        boolean http2,
        boolean ordered) {

    FetchSettings {
        headers = List.copyOf(headers);
    }
}
