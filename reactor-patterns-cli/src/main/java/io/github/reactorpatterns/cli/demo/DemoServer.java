package io.github.reactorpatterns.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.github.reactorpatterns.test.Dispatchers;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;

/**
 * The demo's embedded server: the test kit's {@link MockHttpServer} with one route per scenario.
 *
 * <ul>
 *     <li>{@code /items/N} - a small JSON document after {@value #ITEM_DELAY_MS} ms;</li>
 *     <li>{@code /flaky/N} - even N: the first request gets {@code 503} with {@code Retry-After: 1}, later ones
 *     succeed; odd N succeed at once;</li>
 *     <li>{@code /slow/N} - answers after {@value #SLOW_DELAY_MS} ms, which no deadline in the tour allows;</li>
 *     <li>{@code /fail} - {@code 500} after 100 ms;</li>
 *     <li>{@code /users?cursor=C} - {@value #USERS} users in pages of {@value #PAGE_SIZE}, by cursor (the test kit's
 *     {@link Dispatchers#paginatedJson(int, int)});</li>
 *     <li>{@code /events} - {@value #EVENTS} NDJSON lines, streamed one at a time (the test kit's
 *     {@link Dispatchers#ndjsonStream(int, Duration)});</li>
 *     <li>{@code /jobs/N} - a job call: {@code /jobs/13} fails with {@code 500}.</li>
 * </ul>
 */
final class DemoServer implements AutoCloseable {

    static final int ITEM_DELAY_MS = 40;
    static final int SLOW_DELAY_MS = 5_000;
    static final int USERS = 10_000;
    static final int PAGE_SIZE = 500;
    static final int EVENTS = 100;
    static final Duration EVENT_GAP = Duration.ofMillis(8);
    static final Duration JOB_TIME = Duration.ofMillis(50);

    private final MockHttpServer server;
    private final Map<String, AtomicInteger> flakyAttempts = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> flakyArrivals = new ConcurrentHashMap<>();
    private final AtomicInteger userPages = new AtomicInteger();
    private final Function<RecordedRequest, MockResponse> users = Dispatchers.paginatedJson(USERS, PAGE_SIZE);
    private final Function<RecordedRequest, MockResponse> events = Dispatchers.ndjsonStream(EVENTS, EVENT_GAP);

    DemoServer() {
        this.server = MockHttpServer.start();
        this.server.dispatcher(this::dispatch);
    }

    String url(String path) {
        return server.url(path).toString();
    }

    MockHttpServer mock() {
        return server;
    }

    int userPagesServed() {
        return userPages.get();
    }

    /** Arrival times ({@link System#nanoTime()}) of the requests for one {@code /flaky/N} path. */
    List<Long> flakyArrivals(String path) {
        return flakyArrivals.getOrDefault(path, List.of());
    }

    private MockResponse dispatch(RecordedRequest request) {
        String path = request.path();
        if (path.startsWith("/items/")) {
            return MockResponse.builder()
                    .jsonBody("{\"id\":" + path.substring(7) + "}")
                    .headersDelay(Duration.ofMillis(ITEM_DELAY_MS))
                    .build();
        }
        if (path.startsWith("/flaky/")) {
            flakyArrivals
                    .computeIfAbsent(path, p -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(System.nanoTime());
            int attempt = flakyAttempts
                    .computeIfAbsent(path, p -> new AtomicInteger())
                    .incrementAndGet();
            int n = Integer.parseInt(path.substring(7));
            if (n % 2 == 0 && attempt == 1) {
                return MockResponse.builder()
                        .status(503)
                        .header("Retry-After", "1")
                        .body("busy")
                        .build();
            }
            return MockResponse.builder().jsonBody("{\"id\":" + n + "}").build();
        }
        if (path.startsWith("/slow/")) {
            return MockResponse.builder()
                    .jsonBody("{\"slow\":true}")
                    .headersDelay(Duration.ofMillis(SLOW_DELAY_MS))
                    .build();
        }
        if (path.equals("/fail")) {
            return MockResponse.builder()
                    .status(500)
                    .body("boom")
                    .headersDelay(Duration.ofMillis(100))
                    .build();
        }
        if (path.equals("/users")) {
            userPages.incrementAndGet();
            return users.apply(request);
        }
        if (path.equals("/events")) {
            return events.apply(request);
        }
        if (path.startsWith("/jobs/")) {
            int status = path.equals("/jobs/13") ? 500 : 200;
            return MockResponse.builder()
                    .status(status)
                    .body(status == 200 ? "done" : "job failed")
                    .headersDelay(JOB_TIME)
                    .build();
        }
        return MockResponse.of(404, "no route for " + path);
    }

    @Override
    public void close() {
        server.close();
    }
}
