package io.github.reactorpatterns.spring.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import io.github.reactorpatterns.time.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class ReactorPatternsFiltersTest {

    private MockHttpServer server;
    /** Arrival times (System.nanoTime) of the requests, recorded at the server. */
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();

    private final Queue<MockResponse> script = new ConcurrentLinkedQueue<>();
    private volatile MockResponse fallback = MockResponse.of(200, "ok");

    @BeforeEach
    void start() {
        server = MockHttpServer.start();
        server.dispatcher(request -> {
            arrivals.add(System.nanoTime());
            MockResponse next = script.poll();
            return next != null ? next : fallback;
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WebClient client(Function<WebClient.Builder, WebClient.Builder> filters) {
        return filters.apply(WebClient.builder().baseUrl(server.url("/").toString()))
                .build();
    }

    @Test
    void bulkheadBoundsTheRequestsInFlightAtTheServer() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(3);
        fallback = MockResponse.builder()
                .status(200)
                .body("ok")
                .headersDelay(Duration.ofMillis(50))
                .build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.bulkhead(semaphore)));

        StepVerifier.create(Flux.range(0, 20)
                        .flatMap(i -> client.get().uri("/item/" + i).retrieve().bodyToMono(String.class)))
                .expectNextCount(20)
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        assertThat(server.maxConcurrentRequests()).isEqualTo(3);
        assertThat(semaphore.availablePermits()).isEqualTo(3);
    }

    @Test
    void bulkheadPermitIsHeldUntilTheBodyIsConsumed() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        fallback = MockResponse.builder()
                .status(200)
                .body("slow body")
                .bodyDelay(Duration.ofMillis(200))
                .build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.bulkhead(semaphore)));
        AtomicInteger availableAtHeaders = new AtomicInteger(-1);

        StepVerifier.create(client.get().uri("/slow").exchangeToMono(response -> {
                    availableAtHeaders.set(semaphore.availablePermits());
                    return response.bodyToMono(String.class);
                }))
                .expectNext("slow body")
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(availableAtHeaders).hasValue(0);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void bulkheadPermitReturnsWhenTheCallerCancelsBeforeTheResponse() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        fallback = MockResponse.builder().noResponse().build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.bulkhead(semaphore)));

        Disposable call =
                client.get().uri("/hang").retrieve().bodyToMono(String.class).subscribe();
        assertThat(server.takeRequest(Duration.ofSeconds(5))).isNotNull();
        assertThat(semaphore.availablePermits()).isZero();
        call.dispose();

        await().atMost(Duration.ofSeconds(5)).until(() -> semaphore.availablePermits() == 1);
    }

    @Test
    void bulkheadPermitReturnsWhenTheBodyIsCancelled() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        fallback = MockResponse.builder()
                .status(200)
                .chunkedLines(List.of("a", "b", "c", "d"), Duration.ofMillis(300))
                .build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.bulkhead(semaphore)));

        StepVerifier.create(client.get()
                        .uri("/stream")
                        .retrieve()
                        .bodyToFlux(DataBuffer.class)
                        .doOnNext(DataBufferUtils::release)
                        .take(1))
                .expectNextCount(1)
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        await().atMost(Duration.ofSeconds(5)).until(() -> semaphore.availablePermits() == 1);
    }

    @Test
    void bulkheadPermitReturnsWhenTheExchangeFails() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        fallback = MockResponse.builder().disconnectBeforeResponse().build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.bulkhead(semaphore)));

        StepVerifier.create(client.get().uri("/drop").retrieve().bodyToMono(String.class))
                .expectError(WebClientRequestException.class)
                .verify(Duration.ofSeconds(5));

        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void rateLimitSpacesTheRequestsAtTheServer() {
        // 20 per second, burst 1: 11 requests take at least 10 intervals of 50 ms
        TokenBucket bucket =
                TokenBucket.builder().rate(20, Duration.ofSeconds(1)).burst(1).build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.rateLimit(bucket)));

        StepVerifier.create(Flux.range(0, 11)
                        .flatMap(i -> client.get().uri("/r/" + i).retrieve().bodyToMono(String.class)))
                .expectNextCount(11)
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        Duration span = Duration.ofNanos(arrivals.get(arrivals.size() - 1) - arrivals.get(0));
        // 10 intervals of 50 ms; a small tolerance for the millisecond clock of the bucket
        assertThat(span).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(arrivals).hasSize(11);
    }

    @Test
    void retryWaitsForRetryAfterThenSucceeds() {
        script.add(MockResponse.builder()
                .status(503)
                .header("Retry-After", "1")
                .body("busy")
                .build());
        script.add(MockResponse.of(200, "done"));
        RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(10)).build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.retry(policy)));

        StepVerifier.create(client.get().uri("/busy").retrieve().bodyToMono(String.class))
                .expectNext("done")
                .expectComplete()
                .verify(Duration.ofSeconds(10));

        assertThat(arrivals).hasSize(2);
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void retryAfterLongerThanThePolicyAcceptsStopsWithTheResponseError() {
        fallback = MockResponse.builder()
                .status(503)
                .header("Retry-After", "3600")
                .body("busy")
                .build();
        RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(10))
                .maxRetryAfter(Duration.ofSeconds(5))
                .build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.retry(policy)));

        StepVerifier.create(client.get().uri("/busy").retrieve().bodyToMono(String.class))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(RetryableWebClientResponseException.class);
                    WebClientResponseException e = (WebClientResponseException) error;
                    assertThat(e.getStatusCode().value()).isEqualTo(503);
                    assertThat(e.getResponseBodyAsString()).isEqualTo("busy");
                    assertThat(((RetryableWebClientResponseException) e).retryAfter())
                            .contains(Duration.ofSeconds(3600));
                })
                .verify(Duration.ofSeconds(5));
        assertThat(arrivals).hasSize(1);
    }

    @Test
    void retryRetriesADroppedConnection() {
        script.add(MockResponse.builder().disconnectBeforeResponse().build());
        script.add(MockResponse.of(200, "second"));
        RetryPolicy policy = RetryPolicy.backoff(2, Duration.ofMillis(10)).build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.retry(policy)));

        StepVerifier.create(client.get().uri("/drop").retrieve().bodyToMono(String.class))
                .expectNext("second")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(arrivals).hasSize(2);
    }

    @Test
    void retryLeavesPostAndOtherStatusesAlone() {
        fallback = MockResponse.builder().status(503).body("busy").build();
        RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(1)).build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.retry(policy)));

        StepVerifier.create(
                        client.post().uri("/orders").bodyValue("x").retrieve().bodyToMono(String.class))
                .expectError(WebClientResponseException.ServiceUnavailable.class)
                .verify(Duration.ofSeconds(5));
        fallback = MockResponse.builder().status(500).body("bug").build();
        StepVerifier.create(client.get().uri("/bug").retrieve().bodyToMono(String.class))
                .expectError(WebClientResponseException.InternalServerError.class)
                .verify(Duration.ofSeconds(5));
        assertThat(arrivals).hasSize(2);
    }

    @Test
    void retryTakesARateLimitTokenPerAttemptAndOnePermitPerCall() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        TokenBucket bucket =
                TokenBucket.builder().rate(10, Duration.ofSeconds(1)).burst(1).build();
        script.add(MockResponse.builder().status(503).body("busy").build());
        script.add(MockResponse.builder().status(503).body("busy").build());
        script.add(MockResponse.of(200, "ok"));
        ReactorPatternsWebClientCustomizer customizer = ReactorPatternsWebClientCustomizer.builder()
                .bulkhead(semaphore)
                .rateLimit(bucket)
                .retry(RetryPolicy.fixed(3, Duration.ZERO).build())
                .build();
        WebClient.Builder builder = WebClient.builder().baseUrl(server.url("/").toString());
        customizer.customize(builder);

        StepVerifier.create(builder.build().get().uri("/x").retrieve().bodyToMono(String.class))
                .expectNext("ok")
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        // three attempts at 10 per second with a burst of 1: tokens 100 ms apart. Measured at the server, the first
        // attempt also paid for opening the connection, which the later ones reuse, so its interval can look shorter
        // by that much; the second interval is between two attempts on the same connection. Without the limiter the
        // three arrive within a few milliseconds.
        assertThat(arrivals).hasSize(3);
        assertThat(Duration.ofNanos(arrivals.get(2) - arrivals.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(90));
        assertThat(Duration.ofNanos(arrivals.get(2) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(server.maxConcurrentRequests()).isEqualTo(1);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void deadlinePropagationSendsTheBudgetLeft() {
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.deadlinePropagation()));

        StepVerifier.create(client.get()
                        .uri("/d")
                        .retrieve()
                        .bodyToMono(String.class)
                        .transform(Deadline.within(Duration.ofSeconds(2))))
                .expectNext("ok")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        RecordedRequest request = server.takeRequest(Duration.ofSeconds(1));
        assertThat(request).isNotNull();
        assertThat(Long.parseLong(request.header("X-Request-Deadline-Ms"))).isBetween(1L, 2000L);

        StepVerifier.create(client.get().uri("/none").retrieve().bodyToMono(String.class))
                .expectNext("ok")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        RecordedRequest without = server.takeRequest(Duration.ofSeconds(1));
        assertThat(without).isNotNull();
        assertThat(without.header("X-Request-Deadline-Ms")).isNull();
    }

    @Test
    void deadlineCutsARetryThatCannotFinishInTime() {
        fallback = MockResponse.builder()
                .status(503)
                .header("Retry-After", "2")
                .body("busy")
                .build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.deadlinePropagation())
                .filter(ReactorPatternsFilters.retry(
                        RetryPolicy.backoff(3, Duration.ofMillis(10)).build())));
        long start = System.nanoTime();

        StepVerifier.create(client.get()
                        .uri("/busy")
                        .retrieve()
                        .bodyToMono(String.class)
                        .transform(Deadline.within(Duration.ofMillis(500))))
                .expectError(RetryableWebClientResponseException.class)
                .verify(Duration.ofSeconds(5));

        // the policy saw that a 2 s Retry-After cannot fit in the 500 ms deadline and stopped at once
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        assertThat(arrivals).hasSize(1);
    }

    @Test
    void aPolicyOutsideTheFiltersReadsRetryAfterThroughTheHint() {
        script.add(MockResponse.builder()
                .status(503)
                .header("Retry-After", "1")
                .body("busy")
                .build());
        script.add(MockResponse.of(200, "done"));
        RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(10))
                .retryAfterHint(ReactorPatternsFilters::retryAfter)
                .build();
        WebClient client = client(b -> b);

        StepVerifier.create(client.get()
                        .uri("/busy")
                        .retrieve()
                        .bodyToMono(String.class)
                        .retryWhen(policy))
                .expectNext("done")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(ReactorPatternsFilters.retryAfter(new IllegalStateException("x")))
                .isEmpty();
    }

    @Test
    void retryOnIOExceptionMatchesTheWrappedConnectionError() {
        script.add(MockResponse.builder().disconnectBeforeResponse().build());
        script.add(MockResponse.of(200, "second"));
        RetryPolicy policy = RetryPolicy.backoff(2, Duration.ofMillis(10))
                .retryOn(java.io.IOException.class)
                .build();
        WebClient client = client(b -> b.filter(ReactorPatternsFilters.retry(policy)));

        // WebClientRequestException wraps the IOException: the policy matches it through the cause chain
        StepVerifier.create(client.get().uri("/drop").retrieve().bodyToMono(String.class))
                .expectNext("second")
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> ReactorPatternsFilters.bulkhead(null))
                .withMessage("permits");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactorPatternsFilters.rateLimit(null))
                .withMessage("limiter");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactorPatternsFilters.retry(null))
                .withMessage("policy");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactorPatternsFilters.retry(RetryPolicy.none(), null, false))
                .withMessage("statuses");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactorPatternsFilters.deadlinePropagation(null))
                .withMessage("header");
        assertThatNullPointerException()
                .isThrownBy(() -> new RetryableWebClientResponseException(null))
                .withMessage("cause");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactorPatternsFilters.retryAfter(null))
                .withMessage("error");
    }

    @Test
    void retryAfterHeaderParsing() {
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
        assertThat(RetryableWebClientResponseException.parseRetryAfter("7", now))
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryableWebClientResponseException.parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryableWebClientResponseException.parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now))
                .isEqualTo(Duration.ZERO);
        assertThat(RetryableWebClientResponseException.parseRetryAfter("soon", now))
                .isNull();
        assertThat(RetryableWebClientResponseException.parseRetryAfter(" ", now))
                .isNull();
        assertThat(RetryableWebClientResponseException.parseRetryAfter(null, now))
                .isNull();
    }
}
