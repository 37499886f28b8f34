package io.github.reactorpatterns.spring.example;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.jspecify.annotations.Nullable;

/**
 * The partner API and the notification service the example calls, as two MockHttpServers with faults by id:
 * user 3 answers 503 with {@code Retry-After: 1} once, user 4 drops the connection, user 5 is slow (3 s).
 */
final class PartnerApi implements AutoCloseable {

    final MockHttpServer partner = MockHttpServer.start();
    final MockHttpServer notify = MockHttpServer.start();
    /** Arrival (System.nanoTime) of each {@code /users/...} request at the partner. */
    final List<Long> userArrivals = new CopyOnWriteArrayList<>();
    /** The deadline header of each {@code /users/...} request, by path. */
    final Map<String, String> deadlineHeaders = new ConcurrentHashMap<>();

    final AtomicInteger processed = new AtomicInteger();
    final AtomicInteger notified = new AtomicInteger();
    private final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    volatile Duration userDelay = Duration.ofMillis(50);
    volatile Duration notifyDelay = Duration.ZERO;
    volatile Duration processDelay = Duration.ofMillis(50);

    PartnerApi() {
        partner.dispatcher(this::partner);
        notify.dispatcher(request -> {
            notified.incrementAndGet();
            return delayed(MockResponse.builder().status(200), notifyDelay).build();
        });
    }

    String partnerUrl() {
        return "http://127.0.0.1:" + partner.port();
    }

    String notifyUrl() {
        return "http://127.0.0.1:" + notify.port();
    }

    private MockResponse partner(RecordedRequest request) {
        String path = request.path();
        if (path.startsWith("/process/")) {
            processed.incrementAndGet();
            return delayed(MockResponse.builder().status(200).body("done"), processDelay)
                    .build();
        }
        if (!path.startsWith("/users/")) {
            return MockResponse.of(404, "no such path " + path);
        }
        userArrivals.add(System.nanoTime());
        @Nullable String deadline = request.header("X-Request-Deadline-Ms");
        if (deadline != null) {
            deadlineHeaders.put(path, deadline);
        }
        int id = Integer.parseInt(path.substring("/users/".length()));
        int attempt = attempts.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
        if (id == 3 && attempt == 1) {
            return MockResponse.builder()
                    .status(503)
                    .header("Retry-After", "1")
                    .body("busy")
                    .build();
        }
        if (id == 4) {
            return MockResponse.builder().disconnectBeforeResponse().build();
        }
        Duration delay = id == 5 ? Duration.ofSeconds(3) : userDelay;
        return delayed(MockResponse.builder().status(200), delay)
                .jsonBody("{\"id\":" + id + ",\"name\":\"user-" + id + "\"}")
                .build();
    }

    private static MockResponse.Builder delayed(MockResponse.Builder builder, Duration delay) {
        return delay.isZero() ? builder : builder.headersDelay(delay);
    }

    /** Forgets the per-id attempts, the recorded arrivals and the partner's counters, so each test sees its own. */
    void forget() {
        partner.reset();
        partner.dispatcher(this::partner);
        attempts.clear();
        userArrivals.clear();
        deadlineHeaders.clear();
    }

    @Override
    public void close() {
        partner.close();
        notify.close();
    }
}
