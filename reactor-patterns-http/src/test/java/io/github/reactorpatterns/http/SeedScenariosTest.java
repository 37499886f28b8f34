package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.github.reactorpatterns.concurrent.Settled;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.Dispatchers;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.time.Deadline;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The seeds' httpx/aiohttp functions, end to end against the mock server. */
@MockHttpServerTest
class SeedScenariosTest {

    @AutoClose
    private final Clients clients = new Clients();

    private MockHttpServer server;
    private PooledHttpClient client;

    @BeforeEach
    void start(MockHttpServer server) {
        this.server = server;
        client = clients.add(PooledHttpClient.builder()
                .baseUrl(server.url("/").toString())
                .responseTimeout(Duration.ofSeconds(1))
                .retry(RetryPolicy.none())
                .build());
    }

    private List<String> urls(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> "/item/" + i)
                .collect(java.util.stream.Collectors.toList());
    }

    /** {@code fetch_all_urls}: gather with return_exceptions=True, keep the successes. */
    @Test
    void fetchAll() {
        server.dispatcher(r -> MockResponse.of(200, r.path()));
        StepVerifier.create(client.fetchAll(Flux.fromIterable(urls(50)), 10)
                        .flatMapIterable(o -> o.value().map(List::of).orElse(List.of()))
                        .map(HttpResult::bodyAsString)
                        .collectList())
                .assertNext(bodies -> assertThat(bodies).containsExactlyElementsOf(urls(50)))
                .verifyComplete();
    }

    /** {@code fetch_with_fallback}: partial failures split by type, like {@code except*}. */
    @Test
    void fetchWithFallback() {
        server.dispatcher(r -> {
            int i = Integer.parseInt(r.path().substring("/item/".length()));
            if (i % 5 == 1) {
                return MockResponse.of(500, "boom");
            }
            if (i % 5 == 2) {
                return MockResponse.builder().noResponse().build();
            }
            return MockResponse.of(200, "ok " + i);
        });
        StepVerifier.create(client.fetchAll(Flux.fromIterable(urls(20)), 20)
                        .collectList()
                        .map(Settled::of))
                .assertNext(settled -> {
                    assertThat(settled.successes()).hasSize(12);
                    assertThat(settled.failuresOf(HttpStatusException.class))
                            .hasSize(4)
                            .allSatisfy(e -> assertThat(e.status()).isEqualTo(500));
                    assertThat(settled.failuresOf(TimeoutException.class))
                            .hasSize(4)
                            .allSatisfy(e -> assertThat(e).isInstanceOf(HttpTimeoutException.class));
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }

    /** {@code rate_limited_fetch}: a semaphore shared by every caller, and raise_for_status. */
    @Test
    void rateLimitedFetch() {
        AsyncSemaphore semaphore = AsyncSemaphore.of(10);
        PooledHttpClient limited = clients.add(PooledHttpClient.builder()
                .baseUrl(server.url("/").toString())
                .concurrencyLimit(semaphore)
                .build());
        server.dispatcher(r -> MockResponse.of(200, "ok"));
        StepVerifier.create(Flux.fromIterable(urls(100))
                        .flatMap(u -> limited.get(u).text(), 100)
                        .count())
                .expectNext(100L)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(semaphore.availablePermits()).isEqualTo(10);
    }

    /** {@code paginate_users}: cursor pagination as an async generator. */
    @Test
    @SuppressWarnings("rawtypes")
    void paginateUsers() {
        server.dispatcher(Dispatchers.paginatedJson(250, 100));
        Flux<Map> users = client.paginate(
                client.get("/users").query("limit", 100), "cursor", "/items", "/next_cursor", Map.class);
        StepVerifier.create(users.map(u -> u.get("id")).collectList())
                .assertNext(ids -> assertThat(ids).hasSize(250).startsWith(0, 1).endsWith(249))
                .verifyComplete();
        assertThat(server.requestCount()).isEqualTo(3);
        // Lazy: the first five users need one page.
        StepVerifier.create(users.take(5)).expectNextCount(5).verifyComplete();
        assertThat(server.requestCount()).isEqualTo(4);
    }

    @Test
    @SuppressWarnings("rawtypes")
    void paginateByLinkHeader() {
        server.dispatcher(Dispatchers.paginatedJson(25, 10));
        StepVerifier.create(client.paginateLinks(client.get("/users"), "/items", Map.class)
                        .count())
                .expectNext(25L)
                .verifyComplete();
        assertThat(server.requestCount()).isEqualTo(3);
    }

    @Test
    void paginationFailsOnAnErrorPageAfterTheEarlierItems() {
        server.enqueue(MockResponse.builder()
                .jsonBody("{\"items\":[{\"id\":1}],\"next_cursor\":\"x\"}")
                .build());
        server.enqueue(MockResponse.of(500, "down"));
        StepVerifier.create(client.paginate(client.get("/users"), "cursor", "/items", "/next_cursor", Map.class))
                .expectNextCount(1)
                .expectError(HttpStatusException.class)
                .verify(Duration.ofSeconds(10));
    }

    /** {@code stream_lines}: {@code aiter_lines()} skipping blank lines. */
    @Test
    void streamLines() {
        server.dispatcher(Dispatchers.ndjsonStream(20, Duration.ofMillis(5)));
        StepVerifier.create(
                        client.get("/events").lines().filter(l -> !l.isBlank()).collectList())
                .assertNext(lines -> assertThat(lines).hasSize(20).startsWith("{\"seq\":0}"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.get("/events")
                        .ndjson(Map.class)
                        .map(m -> m.get("seq"))
                        .takeLast(1))
                .expectNext(19)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    /** {@code fetch_with_timeout}: {@code asyncio.timeout} around the call, {@code None} on timeout. */
    @Test
    void fetchWithTimeout() {
        server.defaultResponse(MockResponse.builder()
                .body("late")
                .headersDelay(Duration.ofSeconds(10))
                .build());
        Mono<String> orNothing = client.get("/slow")
                .text()
                .transform(Deadline.within(Duration.ofMillis(200)))
                .onErrorResume(TimeoutException.class, e -> Mono.empty());
        StepVerifier.create(orNothing).expectComplete().verify(Duration.ofSeconds(10));
        await().untilAsserted(() -> assertThat(client.poolMetrics().acquired()).isZero());
    }
}
