package io.github.reactorpatterns.spring.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class ExampleApplicationTest {

    static final PartnerApi API = new PartnerApi();

    @DynamicPropertySource
    static void partner(DynamicPropertyRegistry registry) {
        registry.add("partner.base-url", API::partnerUrl);
        registry.add("notifications.base-url", API::notifyUrl);
    }

    @AfterAll
    static void stopPartner() {
        API.close();
    }

    @Autowired
    WebTestClient web;

    @Autowired
    Stats stats;

    @BeforeEach
    void forget() {
        API.forget();
    }

    private static String ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private Flux<UserBatch> users(String ids, String via) {
        return web.get()
                .uri("/users/{ids}?via={via}", ids, via)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(UserBatch.class)
                .getResponseBody();
    }

    @Test
    void fanOutThroughBothClientsStaysUnderTheSharedBulkheadAndRate() {
        // 30 ids through the WebClient and 30 through the PooledHttpClient at once: one bulkhead of 4, one bucket
        // of 50 per second with a burst of 5, shared by both
        long start = System.nanoTime();
        StepVerifier.create(Flux.merge(users(ids(100, 130), "web"), users(ids(200, 230), "pooled")))
                .assertNext(batch -> assertThat(batch.users()).hasSize(30))
                .assertNext(batch -> assertThat(batch.users()).hasSize(30))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        List<Long> arrivals = API.userArrivals;
        assertThat(arrivals).hasSize(60);
        Duration span = Duration.ofNanos(arrivals.get(arrivals.size() - 1) - arrivals.get(0));
        double rate = (arrivals.size() - 1) / (span.toNanos() / 1e9);
        // Each user is answered 50 ms after it arrives, and a permit is given back only once its answer was read, so
        // requests that overlap within 50 ms of arrival were in flight at the partner at the same time. (The mock's
        // own counter runs until each response write has completed, which can overlap the next request by a hair.)
        int overlap = maxOverlap(arrivals, API.userDelay);
        System.out.printf(
                "fan-out: 60 requests in %d ms; at the partner: max %d in flight (mock counter %d),"
                        + " %.1f requests/s over %d ms%n",
                took.toMillis(), overlap, API.partner.maxConcurrentRequests(), rate, span.toMillis());
        assertThat(overlap).isEqualTo(4);
        // 60 tokens at 50 per second after a burst of 5: at least 55 intervals of 20 ms
        assertThat(span).isGreaterThanOrEqualTo(Duration.ofMillis(1050));
        assertThat(rate).isLessThanOrEqualTo(55.0);
    }

    /** The most intervals [arrival, arrival + length) that share an instant. */
    private static int maxOverlap(List<Long> arrivals, Duration length) {
        List<Long> sorted = arrivals.stream().sorted().toList();
        int max = 0;
        for (int i = 0; i < sorted.size(); i++) {
            int overlapping = 0;
            for (int j = 0; j <= i; j++) {
                if (sorted.get(j) + length.toNanos() > sorted.get(i)) {
                    overlapping++;
                }
            }
            max = Math.max(max, overlapping);
        }
        return max;
    }

    @Test
    void partialFailuresAreReportedPerId() {
        StepVerifier.create(users("1,3,4,6", "web"))
                .assertNext(batch -> {
                    // 3 answered 503 + Retry-After: 1 once and was retried after a second; 4 drops every connection
                    assertThat(batch.users()).extracting(User::id).containsExactly(1, 3, 6);
                    assertThat(batch.failures()).containsOnlyKeys(4);
                    assertThat(batch.failures().get(4)).contains("WebClientRequestException");
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));

        StepVerifier.create(users("1,3,4,6", "pooled"))
                .assertNext(batch -> {
                    assertThat(batch.users()).extracting(User::id).containsExactly(1, 3, 6);
                    assertThat(batch.failures()).containsOnlyKeys(4);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void theRequestDeadlineIsHonouredEndToEnd() {
        for (String via : List.of("web", "pooled")) {
            API.forget();
            long start = System.nanoTime();
            UserBatch batch = web.get()
                    .uri("/users/1,5?via={via}", via)
                    .header("X-Request-Deadline-Ms", "800")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(UserBatch.class)
                    .returnResult()
                    .getResponseBody();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("deadline 800 ms via %s: answered in %d ms%n", via, took.toMillis());

            assertThat(batch).isNotNull();
            assertThat(batch.users()).extracting(User::id).containsExactly(1);
            assertThat(batch.failures()).containsOnlyKeys(5);
            assertThat(batch.failures().get(5)).contains("DeadlineExceededException");
            // the slow user takes 3 s: the answer came within the 800 ms budget (plus the client's own overhead)
            assertThat(took).isLessThan(Duration.ofMillis(1500));
        }
        // the WebClient passed the budget left on to the partner
        API.forget();
        web.get()
                .uri("/users/7")
                .header("X-Request-Deadline-Ms", "900")
                .exchange()
                .expectStatus()
                .isOk();
        assertThat(Long.parseLong(API.deadlineHeaders.get("/users/7"))).isBetween(1L, 900L);
    }

    @Test
    void aSpentOrMalformedDeadlineIsRefused() {
        web.get()
                .uri("/users/1")
                .header("X-Request-Deadline-Ms", "0")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
        web.get()
                .uri("/users/1")
                .header("X-Request-Deadline-Ms", "soon")
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    @Test
    void anOrderIsSavedAtOnceAndNotifiedInTheBackground() {
        int before = stats.notificationsSent.get();
        web.post()
                .uri("/orders")
                .bodyValue(new NewOrder("book", 2))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Order.class)
                .value(order -> assertThat(order.item()).isEqualTo("book"));

        await().atMost(Duration.ofSeconds(10)).until(() -> stats.notificationsSent.get() == before + 1);
        RecordedRequest notification = API.notify.takeRequest(Duration.ofSeconds(5));
        assertThat(notification).isNotNull();
        assertThat(notification.path()).startsWith("/notify/");
        assertThat(notification.bodyUtf8()).contains("\"item\":\"book\"");
    }

    @Test
    void aJobIsQueuedAndProcessed() {
        int before = stats.jobsDone.get();
        web.post()
                .uri("/jobs")
                .bodyValue(new Job(42, "resize"))
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody(Map.class)
                .value(body -> assertThat(body.get("id")).isEqualTo(42));

        await().atMost(Duration.ofSeconds(10)).until(() -> stats.jobsDone.get() == before + 1);
    }

    @Test
    void actuatorListsTheMetrics() {
        web.get()
                .uri("/actuator/metrics")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body)
                        .contains(
                                "reactor.patterns.semaphore.available",
                                "reactor.patterns.token.bucket.granted",
                                "reactor.patterns.work.queue.queued",
                                "reactor.patterns.background.tasks.active",
                                "reactor.patterns.http.pool.acquired"));
        web.get()
                .uri("/actuator/metrics/reactor.patterns.semaphore.permits?tag=name:partner-api")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body).contains("\"value\":4.0"));
    }
}
