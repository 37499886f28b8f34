package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryExhaustedException;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.Dispatchers;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.time.Deadline;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@MockHttpServerTest
class PooledHttpClientRetryTest {

    @AutoClose
    private final Clients clients = new Clients();

    private static final RetryPolicy FAST =
            RetryPolicy.fixed(2, Duration.ofMillis(1)).build();

    private MockHttpServer server;

    @BeforeEach
    void start(MockHttpServer server) {
        this.server = server;
    }

    private static MockResponse unavailable(String retryAfter) {
        return MockResponse.builder()
                .status(503)
                .header("Retry-After", retryAfter)
                .body("busy")
                .build();
    }

    @Test
    void retryAfterSecondsIsWaitedAndTheRequestSucceeds() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        server.enqueue(unavailable("1"));
        server.enqueue(MockResponse.of(200, "ok"));
        StepVerifier.create(client.get(server.url("/x").toString()).result())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.attempts()).isEqualTo(2);
                    assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void retryAfterIsWaitedOnTheVirtualClock() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        server.enqueue(unavailable("1"));
        server.enqueue(MockResponse.of(200, "ok"));
        // The network is real, the back-off is virtual: wait (really) for the 503 to be handled, then move the
        // virtual clock. The policy's timer resolves Schedulers.parallel() at subscription: the virtual one.
        StepVerifier.withVirtualTime(
                        () -> client.get(server.url("/x").toString()).result())
                .expectSubscription()
                .then(() -> await().until(() ->
                        server.requestCount() == 1 && client.poolMetrics().acquired() == 0))
                .thenAwait(Duration.ofMillis(900))
                .then(() -> assertThat(server.requestCount()).isEqualTo(1))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.attempts()).isEqualTo(2);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void retryAfterHttpDateIsParsed() {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().retry(RetryPolicy.none()).build());
        String date =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(120));
        server.enqueue(unavailable(date));
        StepVerifier.create(client.get(server.url("/x").toString()).text())
                .expectErrorSatisfies(e -> assertThat(((HttpStatusException) e).retryAfter())
                        .hasValueSatisfying(
                                d -> assertThat(d).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(121))))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void postIsNotRetriedByDefault() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        server.enqueue(unavailable("0"));
        StepVerifier.create(
                        client.post(server.url("/x").toString()).body("order").text())
                .expectErrorSatisfies(
                        e -> assertThat(((HttpStatusException) e).status()).isEqualTo(503))
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(1);
        server.enqueue(MockResponse.builder().disconnectBeforeResponse().build());
        server.enqueue(MockResponse.of(200, "ok"));
        StepVerifier.create(
                        client.post(server.url("/x").toString()).body("order").text())
                .expectError(IOException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(2);
    }

    @Test
    void connectionFailuresOfIdempotentRequestsAreRetried() {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().retry(FAST).build());
        server.enqueue(MockResponse.builder().disconnectBeforeResponse().build());
        server.enqueue(MockResponse.builder().resetConnection().build());
        server.enqueue(MockResponse.of(200, "third time"));
        StepVerifier.create(client.get(server.url("/x").toString()).result())
                .assertNext(r -> {
                    assertThat(r.bodyAsString()).isEqualTo("third time");
                    assertThat(r.attempts()).isEqualTo(3);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void clientErrorsAreNotRetried() {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().retry(FAST).build());
        server.defaultResponse(MockResponse.of(400, "bad"));
        StepVerifier.create(client.get(server.url("/x").toString()).text())
                .expectError(HttpStatusException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void exhaustedRetriesWrapTheLastErrorButResultReturnsTheLastResponse() {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().retry(FAST).build());
        server.defaultResponse(unavailable("0"));
        StepVerifier.create(client.get(server.url("/x").toString()).text())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(RetryExhaustedException.class);
                    assertThat(e.getCause()).isInstanceOf(HttpStatusException.class);
                })
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.get(server.url("/x").toString()).result())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(r.attempts()).isEqualTo(3);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(6);
    }

    @Test
    void retriesStopAtTheCallersDeadline() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        server.defaultResponse(unavailable("5"));
        StepVerifier.create(client.get(server.url("/x").toString())
                        .text()
                        .transform(Deadline.within(Duration.ofSeconds(2))))
                // The 5 s Retry-After would end after the deadline: the policy gives up at once.
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(HttpStatusException.class))
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void budgetCapsRetriesUnderAFailureStorm() {
        RetryBudget budget = RetryBudget.of(Duration.ofSeconds(10), 0, 0.1);
        PooledHttpClient client = clients.add(PooledHttpClient.builder()
                .retry(RetryPolicy.fixed(3, Duration.ZERO).budget(budget).build())
                .build());
        server.dispatcher(Dispatchers.flaky(1.0, 42));
        StepVerifier.create(client.fetchAll(
                                Flux.range(0, 100).map(i -> server.url("/" + i).toString()), 8)
                        .filter(o -> o.isFailure())
                        .count())
                .expectNext(100L)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        // Without the budget: 400 requests. With it: 100 first attempts and at most 10 % of them retried.
        assertThat(server.requestCount()).isBetween(100, 110);
    }

    @Test
    void streamsAreRetriedOnlyBeforeTheirFirstElement() {
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().retry(FAST).build());
        server.enqueue(unavailable("0"));
        server.enqueue(MockResponse.of(200, "a\nb\n"));
        StepVerifier.create(client.get(server.url("/x").toString()).lines())
                .expectNext("a", "b")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        server.enqueue(MockResponse.builder()
                .body("a\nb\nc\n".repeat(50))
                .disconnectDuringBody(4)
                .build());
        server.enqueue(MockResponse.of(200, "never read"));
        StepVerifier.create(client.get(server.url("/x").toString()).lines())
                .expectNext("a", "b")
                .expectError(IOException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void concurrencyLimitIsSharedByEveryRequest() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(3);
        PooledHttpClient client = clients.add(
                PooledHttpClient.builder().concurrencyLimit(semaphore).build());
        server.defaultResponse(MockResponse.builder().noResponse().build());
        Disposable all = client.fetchAll(
                        Flux.range(0, 10).map(i -> server.url("/" + i).toString()), 10)
                .subscribe();
        await().until(() -> server.requestCount() == 3);
        // The other seven wait for a permit, holding no connection.
        await().during(Duration.ofMillis(300)).until(() -> server.requestCount() == 3);
        assertThat(semaphore.availablePermits()).isZero();
        assertThat(client.poolMetrics().acquired()).isEqualTo(3);
        all.dispose();
        await().untilAsserted(() -> {
            assertThat(semaphore.availablePermits()).isEqualTo(3);
            assertThat(client.poolMetrics().acquired()).isZero();
        });
        server.defaultResponse(MockResponse.of(200, "ok"));
        StepVerifier.create(client.fetchAll(
                                Flux.range(0, 30).map(i -> server.url("/" + i).toString()), 30)
                        .filter(o -> o.isSuccess())
                        .count())
                .expectNext(30L)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(semaphore.availablePermits()).isEqualTo(3);
    }

    @Test
    void retryAfterPausesTheSharedRateLimitForEveryCaller() {
        TokenBucket bucket = TokenBucket.builder()
                .rate(1000, Duration.ofSeconds(1))
                .burst(10)
                .build();
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().rateLimit(bucket).build());
        server.enqueue(unavailable("30"));
        // The 30 s Retry-After pauses the shared bucket for every caller, whether or not this request retries
        // (here the caller's 1 s deadline stops it before any wait).
        StepVerifier.create(client.get(server.url("/x").toString())
                        .text()
                        .transform(Deadline.within(Duration.ofSeconds(1))))
                .expectError(HttpStatusException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(bucket.estimatedWaitNow(1)).isGreaterThan(Duration.ofSeconds(20));
    }

    @Test
    void rateLimitHoldsRequestsBeyondTheBurst() {
        TokenBucket bucket =
                TokenBucket.builder().rate(1, Duration.ofMinutes(1)).burst(2).build();
        PooledHttpClient client =
                clients.add(PooledHttpClient.builder().rateLimit(bucket).build());
        server.defaultResponse(MockResponse.of(200, "ok"));
        StepVerifier.create(Flux.range(0, 3)
                        .concatMap(
                                i -> client.get(server.url("/" + i).toString()).text()))
                .expectNext("ok", "ok")
                .expectNoEvent(Duration.ofMillis(300))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        assertThat(server.requestCount()).isEqualTo(2);
        assertThat(bucket.waiting()).isZero();
    }
}
