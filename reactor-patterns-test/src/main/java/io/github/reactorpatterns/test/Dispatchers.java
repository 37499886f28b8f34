package io.github.reactorpatterns.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Ready-made {@link MockHttpServer#dispatcher(Function) dispatchers} for the scenarios that asynchronous HTTP code
 * meets most: cursor pagination, a flaky upstream, and a streamed NDJSON feed. Each returned function is
 * thread-safe and never blocks, as a dispatcher must be.
 */
public final class Dispatchers {

    /** The {@code Retry-After} that {@link #flaky(double, long)} sends with its 503s: {@value} seconds. */
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 0;

    private Dispatchers() {}

    /**
     * Serves {@code totalItems} items in pages of {@code pageSize}, on any path, by cursor.
     *
     * <p>A request without a {@code cursor} query parameter gets the first page; the response body is JSON
     * (written by hand, no JSON library):
     * <pre>{@code
     * {"items":[{"id":0},{"id":1}],"next_cursor":"2"}
     * }</pre>
     * Item ids run from 0 to {@code totalItems - 1}. While there is a next page, the body has its cursor in
     * {@code next_cursor} and the response has a {@code Link: </path?cursor=2>; rel="next"} header (a reference
     * relative to the request URL, as RFC 8288 allows; other query parameters are not repeated). On the last page
     * {@code next_cursor} is {@code null} and there is no {@code Link} header. With {@code totalItems} 0 the only
     * page is empty. A cursor that is not a number between 0 and {@code totalItems} gets a 400.
     *
     * @param totalItems how many items there are, at least 0
     * @param pageSize how many items a page holds, at least 1
     * @return the dispatcher
     * @throws IllegalArgumentException if {@code totalItems} is negative or {@code pageSize} is not positive
     */
    public static Function<RecordedRequest, MockResponse> paginatedJson(int totalItems, int pageSize) {
        if (totalItems < 0) {
            throw new IllegalArgumentException("totalItems >= 0 required but it was " + totalItems);
        }
        if (pageSize <= 0) {
            throw new IllegalArgumentException("pageSize > 0 required but it was " + pageSize);
        }
        return request -> {
            String cursorText = request.queryParameter("cursor");
            int from;
            try {
                from = cursorText == null ? 0 : Integer.parseInt(cursorText);
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0 || from > totalItems) {
                return MockResponse.builder()
                        .status(400)
                        .jsonBody("{\"error\":\"bad cursor\",\"cursor\":" + jsonString(cursorText) + "}")
                        .build();
            }
            int to = Math.min(totalItems, from + pageSize);
            StringBuilder json = new StringBuilder("{\"items\":[");
            for (int id = from; id < to; id++) {
                json.append(id == from ? "" : ",").append("{\"id\":").append(id).append('}');
            }
            json.append("],\"next_cursor\":");
            MockResponse.Builder response = MockResponse.builder();
            if (to < totalItems) {
                json.append('"').append(to).append('"');
                response.header("Link", "<" + request.path() + "?cursor=" + to + ">; rel=\"next\"");
            } else {
                json.append("null");
            }
            return response.jsonBody(json.append('}').toString()).build();
        };
    }

    /**
     * Fails a share of requests with {@code 503 Service Unavailable} and {@code Retry-After:}
     * {@value #DEFAULT_RETRY_AFTER_SECONDS}, and answers the others {@code 200} with the body {@code ok}.
     *
     * @param failureRate the share of requests that fail, from 0.0 (none) to 1.0 (all)
     * @param seed the seed that fixes which requests fail
     * @return the dispatcher
     * @throws IllegalArgumentException if {@code failureRate} is not between 0.0 and 1.0
     * @see #flaky(double, long, Function)
     */
    public static Function<RecordedRequest, MockResponse> flaky(double failureRate, long seed) {
        return flaky(failureRate, seed, request -> MockResponse.of(200, "ok"));
    }

    /**
     * Fails a share of requests with {@code 503 Service Unavailable} and {@code Retry-After:}
     * {@value #DEFAULT_RETRY_AFTER_SECONDS}, and hands the others to {@code otherwise}.
     *
     * <p>Deterministic: whether the n-th request this dispatcher sees (counting from 0) fails depends only on
     * {@code seed} and n, so a test that sends its requests one after another sees the same failures on every run.
     * Concurrent requests may arrive in a different order, but the number of failures among the first n requests
     * is still fixed by the seed.
     *
     * @param failureRate the share of requests that fail, from 0.0 (none) to 1.0 (all)
     * @param seed the seed that fixes which requests fail
     * @param otherwise answers the requests that do not fail
     * @return the dispatcher
     * @throws NullPointerException if {@code otherwise} is null
     * @throws IllegalArgumentException if {@code failureRate} is not between 0.0 and 1.0
     */
    public static Function<RecordedRequest, MockResponse> flaky(
            double failureRate, long seed, Function<RecordedRequest, MockResponse> otherwise) {
        if (!(failureRate >= 0.0 && failureRate <= 1.0)) {
            throw new IllegalArgumentException("failureRate between 0.0 and 1.0 required but it was " + failureRate);
        }
        Objects.requireNonNull(otherwise, "otherwise");
        MockResponse unavailable = MockResponse.builder()
                .status(503)
                .header("Retry-After", Integer.toString(DEFAULT_RETRY_AFTER_SECONDS))
                .body("service unavailable")
                .build();
        AtomicLong counter = new AtomicLong();
        return request -> {
            long n = counter.getAndIncrement();
            return uniform(seed, n) < failureRate ? unavailable : otherwise.apply(request);
        };
    }

    /**
     * Streams {@code events} NDJSON lines ({@code {"seq":0}}, {@code {"seq":1}}, ...) on any path, one every
     * {@code between} (the first at once), with {@code Content-Type: application/x-ndjson} and no
     * {@code Content-Length}.
     *
     * @param events how many lines to send, at least 0
     * @param between the pause between two lines
     * @return the dispatcher
     * @throws NullPointerException if {@code between} is null
     * @throws IllegalArgumentException if {@code events} or {@code between} is negative
     */
    public static Function<RecordedRequest, MockResponse> ndjsonStream(int events, Duration between) {
        if (events < 0) {
            throw new IllegalArgumentException("events >= 0 required but it was " + events);
        }
        List<String> lines = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            lines.add("{\"seq\":" + i + "}");
        }
        MockResponse response = MockResponse.builder()
                .header("Content-Type", "application/x-ndjson")
                .chunkedLines(lines, between)
                .build();
        return request -> response;
    }

    /** A number in [0, 1) that depends only on the seed and the index (SplitMix64). */
    static double uniform(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    private static String jsonString(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
