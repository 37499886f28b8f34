package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.ContextView;

/** The rate limit seen at the server, and the caller's deadline reaching requests in flight. */
@MockHttpServerTest
class PooledHttpClientLimitsTest {

    @AutoClose
    private final Clients clients = new Clients();

    /**
     * Regression: with {@code rateLimit} and {@code concurrencyLimit} together, the token was taken before the
     * permit, so the requests queued behind a slow call each banked a token while they waited and then fired
     * together (10 of 11 within 300 ms at the server for 5/s, burst 1). Now the token is taken after the permit.
     *
     * <p>Real time, because the requests cross a real socket. The bucket promises at most
     * {@code burst + rate * T} tokens in any span {@code T} of its clock. At the server that becomes: for arrivals
     * {@code i < j}, requests {@code i+1..j} all took their token within {@code [arrival(i), arrival(j)]} (with one
     * permit, request {@code i+1} takes its token only after the response to {@code i}, which comes after
     * {@code i} arrived; and a request arrives after its token), so {@code j - i <= burst + rate * (arrival(j) -
     * arrival(i))}. A loaded machine only delays arrivals relative to tokens, which cannot break that bound; the old
     * order breaks it by far (ten arrivals within a few milliseconds after the slow one).
     */
    @Test
    void rateLimitHoldsAtTheServerWhenRequestsQueueBehindASlowOne() {
        ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
        AtomicInteger seen = new AtomicInteger();
        try (TestServer server = TestServer.start(routes -> routes.get("/r", (req, res) -> {
            arrivals.add(System.nanoTime());
            return seen.getAndIncrement() == 0
                    ? res.sendString(Mono.delay(Duration.ofSeconds(2)).thenReturn("slow"))
                    : res.sendString(Mono.just("ok"));
        }))) {
            double rate = 5;
            int burst = 1;
            TokenBucket bucket = TokenBucket.builder()
                    .rate(5, Duration.ofSeconds(1))
                    .burst(burst)
                    .build();
            PooledHttpClient client = clients.add(PooledHttpClient.builder()
                    .rateLimit(bucket)
                    .concurrencyLimit(AsyncSemaphore.of(1))
                    .build());
            StepVerifier.create(Flux.range(0, 11)
                            .flatMap(i -> client.get(server.url("/r")).text(), 11)
                            .count())
                    .expectNext(11L)
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
            List<Long> t = new ArrayList<>(arrivals);
            assertThat(t).hasSize(11);
            // 2 ms for the bucket's millisecond clock against the server's nanoTime.
            double slackSeconds = 0.002;
            for (int i = 0; i < t.size(); i++) {
                for (int j = i + 1; j < t.size(); j++) {
                    double span = (t.get(j) - t.get(i)) / 1e9;
                    assertThat((double) (j - i))
                            .as("arrivals %d..%d within %.3f s", i, j, span)
                            .isLessThanOrEqualTo(burst + rate * (span + slackSeconds));
                }
            }
            // The ten requests behind the slow one are spread over at least (10 - 1 - burst) / rate seconds.
            assertThat(Duration.ofNanos(t.get(10) - t.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(1590));
        }
    }

    /**
     * Regression: the client checked the Context's deadline only before an attempt, so a request whose Context
     * carries a deadline without an operator above it that times out (here: the Context handed to other work, as a
     * background task or a deadline read from a request header does) ran past it: a 32 s body was not cut at
     * 1.5 s. Now every attempt is bounded by the time left, ends with {@link DeadlineExceededException}, and gives
     * its connection back.
     */
    @Test
    void contextDeadlineCutsASlowBodyInFlight(MockHttpServer server) {
        server.enqueue(MockResponse.builder()
                .body("x".repeat(32))
                .throttle(1, Duration.ofSeconds(1))
                .build());
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        ContextView withDeadline = deadlineContext(Duration.ofMillis(1500));
        long start = System.nanoTime();
        StepVerifier.create(client.get(server.url("/slow").toString()).text().contextWrite(withDeadline))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DeadlineExceededException.class)
                        .satisfies(d -> assertThat(((DeadlineExceededException) d).budget())
                                .isEqualTo(Duration.ofMillis(1500))))
                .verify(Duration.ofSeconds(10));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        // About 1.5 s; the bounds leave room for a loaded machine, far from the 32 s the body would take.
        assertThat(elapsed).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(5));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    /** The same for a streaming terminal: the stream ends at the deadline, after the lines already read. */
    @Test
    void contextDeadlineCutsAStreamInFlight(MockHttpServer server) {
        server.enqueue(MockResponse.builder()
                .chunkedLines(List.of("a", "b", "c", "d", "e", "f", "g", "h"), Duration.ofSeconds(4))
                .build());
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        ContextView withDeadline = deadlineContext(Duration.ofMillis(1500));
        StepVerifier.create(client.get(server.url("/lines").toString()).lines().contextWrite(withDeadline))
                .expectNext("a")
                .expectError(DeadlineExceededException.class)
                .verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    /** A deadline that has passed fails the request before anything is sent. */
    @Test
    void expiredContextDeadlineSendsNothing(MockHttpServer server) {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        ContextView expired = deadlineContext(Duration.ofMillis(1));
        await().until(() -> Deadline.current(expired).orElseThrow().isExpired());
        StepVerifier.create(client.get(server.url("/").toString()).text().contextWrite(expired))
                .expectError(DeadlineExceededException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(server.requestCount()).isZero();
    }

    /** A Context that carries a deadline of {@code budget} from now, without the timer that set it. */
    private static ContextView deadlineContext(Duration budget) {
        ContextView ctx = Mono.deferContextual(Mono::just)
                .transform(Deadline.within(budget))
                .block(Duration.ofSeconds(5));
        assertThat(ctx).isNotNull();
        return ctx;
    }
}
