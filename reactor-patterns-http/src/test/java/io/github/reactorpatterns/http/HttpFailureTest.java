package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;

import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.PrematureCloseException;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.context.ContextView;

/** Every failure the client signals names its request and counts its attempts, retried or not. */
@MockHttpServerTest
class HttpFailureTest {

    private static final RetryPolicy FAST =
            RetryPolicy.fixed(2, Duration.ofMillis(1)).build();
    private static final Duration VERIFY = Duration.ofSeconds(20);

    @AutoClose
    private final Clients clients = new Clients();

    private MockHttpServer server;

    @BeforeEach
    void start(MockHttpServer server) {
        this.server = server;
    }

    private PooledHttpClient fastRetries() {
        return clients.add(PooledHttpClient.builder().retry(FAST).build());
    }

    private static MockResponse unavailable(String retryAfter) {
        return MockResponse.builder()
                .status(503)
                .header("Retry-After", retryAfter)
                .body("busy")
                .build();
    }

    @Test
    void statusFailureAfterExhaustedRetriesCountsEveryAttempt() {
        PooledHttpClient client = fastRetries();
        for (int i = 0; i < 3; i++) {
            server.enqueue(unavailable("0"));
        }
        String url = server.url("/busy").toString();
        StepVerifier.create(client.get(url).text())
                .expectErrorSatisfies(e -> {
                    assertThat(e)
                            .isInstanceOfSatisfying(
                                    RetryExhaustedException.class,
                                    x -> assertThat(x.attempts()).isEqualTo(3));
                    assertThat(e.getCause())
                            .isInstanceOfSatisfying(HttpStatusException.class, s -> {
                                assertThat(s.attempts()).isEqualTo(3);
                                assertThat(s.status()).isEqualTo(503);
                                assertThat(s.method()).isEqualTo("GET");
                                assertThat(s.uri()).isEqualTo(url);
                            })
                            .hasMessage("HTTP 503 Service Unavailable for GET " + url);
                    // the earlier attempts' failures, oldest first, each with its own number
                    assertThat(e.getSuppressed())
                            .extracting(t -> ((HttpFailure) t).attempts())
                            .containsExactly(1, 2);
                })
                .verify(VERIFY);
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void aStatusThatIsNotRetriedAfterARetryCarriesTheSecondAttempt() {
        PooledHttpClient client = fastRetries();
        server.enqueue(unavailable("0"));
        server.enqueue(MockResponse.of(404, "gone"));
        StepVerifier.create(client.get(server.url("/x").toString()).text())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(HttpStatusException.class, s -> {
                    assertThat(s.status()).isEqualTo(404);
                    assertThat(s.attempts()).isEqualTo(2);
                }))
                .verify(VERIFY);
    }

    @Test
    void transportFailureAfterExhaustedRetriesCountsEveryAttempt() {
        PooledHttpClient client = fastRetries();
        for (int i = 0; i < 3; i++) {
            server.enqueue(MockResponse.builder().disconnectBeforeResponse().build());
        }
        String url = server.url("/drop").toString();
        StepVerifier.create(client.get(url).result())
                .expectErrorSatisfies(e -> {
                    assertThat(e)
                            .isInstanceOfSatisfying(
                                    RetryExhaustedException.class,
                                    x -> assertThat(x.attempts()).isEqualTo(3));
                    assertThat(e.getCause()).isInstanceOfSatisfying(HttpTransportException.class, t -> {
                        assertThat(t.attempts()).isEqualTo(3);
                        assertThat(t.method()).isEqualTo("GET");
                        assertThat(t.uri()).isEqualTo(url);
                        assertThat(t.getCause()).isInstanceOf(PrematureCloseException.class);
                        assertThat(t)
                                .hasMessage("I/O error for GET " + url + ": "
                                        + t.getCause().getMessage());
                    });
                    assertThat(e.getCause().getMessage()).contains("BEFORE response");
                })
                .verify(VERIFY);
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void connectionRefusedAfterRetriesKeepsTheConnectExceptionAsCause() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        PooledHttpClient client = fastRetries();
        String url = "http://127.0.0.1:" + port + "/nobody";
        StepVerifier.create(client.get(url).text())
                .expectErrorSatisfies(e -> assertThat(e.getCause())
                        .isInstanceOfSatisfying(HttpTransportException.class, t -> {
                            assertThat(t.attempts()).isEqualTo(3);
                            assertThat(t.getCause()).isInstanceOf(ConnectException.class);
                            // the native transport puts the system call in front of the JDK's words
                            assertThat(t.getMessage())
                                    .startsWith("I/O error for GET " + url + ": ")
                                    .contains("Connection refused");
                        }))
                .verify(VERIFY);
    }

    @Test
    void aPostIsSentOnceAndItsFailuresSayOneAttempt() {
        PooledHttpClient client = fastRetries();
        server.enqueue(unavailable("0"));
        server.enqueue(MockResponse.builder().disconnectBeforeResponse().build());
        String url = server.url("/order").toString();
        StepVerifier.create(client.post(url).body("order").text())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(HttpStatusException.class, s -> {
                    assertThat(s.attempts()).isEqualTo(1);
                    assertThat(s.method()).isEqualTo("POST");
                }))
                .verify(VERIFY);
        StepVerifier.create(client.post(url).body("order").text())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(HttpTransportException.class, t -> {
                    assertThat(t.attempts()).isEqualTo(1);
                    assertThat(t).hasMessageStartingWith("I/O error for POST " + url + ": ");
                }))
                .verify(VERIFY);
        assertThat(server.requestCount()).isEqualTo(2);
    }

    /** The retry policy stops when the next wait would outlast the deadline: the last failure passes, counted. */
    @Test
    void retriesStoppedByTheDeadlineLeaveTheLastFailureWithItsCount() {
        PooledHttpClient client = fastRetries();
        server.enqueue(unavailable("0"));
        server.enqueue(unavailable("30"));
        StepVerifier.create(client.get(server.url("/x").toString())
                        .text()
                        .contextWrite(deadlineContext(Duration.ofSeconds(10))))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                HttpStatusException.class,
                                s -> assertThat(s.attempts()).isEqualTo(2)))
                .verify(VERIFY);
        assertThat(server.requestCount()).isEqualTo(2);
    }

    /**
     * The deadline runs on a virtual clock that only the test moves, the network on real time: the deadline passes
     * exactly when the second attempt is waiting for its response, however slow the machine.
     */
    @Test
    void aDeadlineThatCutsTheSecondAttemptSaysTwoAttempts() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        PooledHttpClient client = clients.add(
                PooledHttpClient.builder().retry(FAST).scheduler(clock).build());
        server.enqueue(unavailable("0"));
        server.enqueue(MockResponse.builder().noResponse().build());
        String url = server.url("/slow").toString();
        StepVerifier.create(client.get(url).text().contextWrite(deadlineContext(Duration.ofSeconds(5), clock)))
                .then(() -> await().until(() -> server.requestCount() == 2))
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(5)))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(HttpDeadlineExceededException.class, d -> {
                            assertThat(d.attempts()).isEqualTo(2);
                            assertThat(d.budget()).isEqualTo(Duration.ofSeconds(5));
                            assertThat(d.method()).isEqualTo("GET");
                            assertThat(d.uri()).isEqualTo(url);
                        })
                        .isInstanceOf(DeadlineExceededException.class)
                        .hasMessage("deadline of 5000ms exceeded"))
                .verify(VERIFY);
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void aDeadlineThatCutsAStreamCountsItsAttempts() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        PooledHttpClient client = clients.add(
                PooledHttpClient.builder().retry(FAST).scheduler(clock).build());
        server.enqueue(unavailable("0"));
        server.enqueue(MockResponse.builder().noResponse().build());
        StepVerifier.create(client.get(server.url("/lines").toString())
                        .lines()
                        .contextWrite(deadlineContext(Duration.ofSeconds(5), clock)))
                .then(() -> await().until(() -> server.requestCount() == 2))
                .then(() -> clock.advanceTimeBy(Duration.ofSeconds(5)))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                HttpDeadlineExceededException.class,
                                d -> assertThat(d.attempts()).isEqualTo(2)))
                .verify(VERIFY);
    }

    @Test
    void aDeadlinePassedBeforeSubscriptionMakesNoAttempt() {
        PooledHttpClient client = fastRetries();
        ContextView expired = deadlineContext(Duration.ofMillis(1));
        await().until(() -> Deadline.current(expired).orElseThrow().isExpired());
        StepVerifier.create(client.get(server.url("/").toString()).result().contextWrite(expired))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                HttpDeadlineExceededException.class,
                                d -> assertThat(d.attempts()).isZero()))
                .verify(VERIFY);
        StepVerifier.create(client.get(server.url("/").toString()).lines().contextWrite(expired))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                HttpDeadlineExceededException.class,
                                d -> assertThat(d.attempts()).isZero()))
                .verify(VERIFY);
        StepVerifier.create(client.post(server.url("/").toString()).text().contextWrite(expired))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOfSatisfying(
                                HttpDeadlineExceededException.class,
                                d -> assertThat(d.attempts()).isZero()))
                .verify(VERIFY);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void streamingStatusFailuresCountTheirAttempts() {
        PooledHttpClient client = fastRetries();
        for (int i = 0; i < 3; i++) {
            server.enqueue(unavailable("0"));
        }
        StepVerifier.create(client.get(server.url("/lines").toString()).lines())
                .expectErrorSatisfies(e -> assertThat(e.getCause())
                        .isInstanceOfSatisfying(
                                HttpStatusException.class,
                                s -> assertThat(s.attempts()).isEqualTo(3)))
                .verify(VERIFY);
    }

    @Test
    void theLastResponseOfResultCarriesTheSameCount() {
        PooledHttpClient client = fastRetries();
        server.enqueue(unavailable("0"));
        server.enqueue(unavailable("0"));
        server.enqueue(MockResponse.of(500, "broken"));
        StepVerifier.create(client.get(server.url("/x").toString()).result())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(500);
                    assertThat(r.attempts()).isEqualTo(3);
                })
                .expectComplete()
                .verify(VERIFY);
    }

    /** A Context that carries a deadline of {@code budget} from now, without the timer that set it. */
    private static ContextView deadlineContext(Duration budget) {
        return deadlineContext(budget, Schedulers.parallel());
    }

    /** The same with the deadline measured by {@code clock}. */
    private static ContextView deadlineContext(Duration budget, Scheduler clock) {
        ContextView ctx = Mono.deferContextual(Mono::just)
                .transform(Deadline.within(budget, clock))
                .block(Duration.ofSeconds(5));
        assertThat(ctx).isNotNull();
        return ctx;
    }
}
