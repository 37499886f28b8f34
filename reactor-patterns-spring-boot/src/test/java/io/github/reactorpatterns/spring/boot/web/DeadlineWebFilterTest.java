package io.github.reactorpatterns.spring.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.reactorpatterns.time.Deadline;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

class DeadlineWebFilterTest {

    private static final String HEADER = "X-Request-Deadline-Ms";
    private static final AtomicBoolean SLOW_CANCELLED = new AtomicBoolean();

    private static WebTestClient client(@Nullable Duration defaultBudget) {
        RouterFunction<ServerResponse> routes = RouterFunctions.route()
                .GET(
                        "/left",
                        request -> Deadline.remaining()
                                .map(left -> Long.toString(left.toMillis()))
                                .defaultIfEmpty("none")
                                .flatMap(body -> ServerResponse.ok().bodyValue(body)))
                .GET(
                        "/slow",
                        request -> Mono.delay(Duration.ofSeconds(5))
                                .doOnCancel(() -> SLOW_CANCELLED.set(true))
                                .flatMap(tick -> ServerResponse.ok().bodyValue("late")))
                .build();
        return WebTestClient.bindToRouterFunction(routes)
                .webFilter(new DeadlineWebFilter(HEADER, Duration.ofSeconds(2), defaultBudget))
                .build();
    }

    private static long left(WebTestClient client, @Nullable String header) {
        String body = client.get()
                .uri("/left")
                .headers(h -> {
                    if (header != null) {
                        h.set(HEADER, header);
                    }
                })
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return "none".equals(body) ? -1 : Long.parseLong(body);
    }

    @Test
    void headerBecomesTheDeadlineOfTheHandler() {
        assertThat(left(client(null), "800")).isBetween(1L, 800L).isGreaterThan(500L);
    }

    @Test
    void budgetIsCappedByTheServerMaximum() {
        assertThat(left(client(null), "600000")).isBetween(1500L, 2000L);
    }

    @Test
    void requestWithoutHeaderGetsTheDefaultOrNoDeadline() {
        assertThat(left(client(null), null)).isEqualTo(-1);
        assertThat(left(client(Duration.ofMillis(700)), null)).isBetween(400L, 700L);
        // a default larger than the maximum is capped too
        assertThat(left(client(Duration.ofMinutes(5)), null)).isBetween(1500L, 2000L);
    }

    @Test
    void malformedHeaderIsABadRequest() {
        client(null)
                .get()
                .uri("/left")
                .header(HEADER, "soon")
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    @Test
    void spentBudgetIsAGatewayTimeoutWithoutRunningTheHandler() {
        client(null)
                .get()
                .uri("/slow")
                .header(HEADER, "0")
                .exchange()
                .expectStatus()
                .isEqualTo(504);
    }

    @Test
    void handlerPastTheDeadlineIsCancelledWithAGatewayTimeout() {
        SLOW_CANCELLED.set(false);
        client(null)
                .get()
                .uri("/slow")
                .header(HEADER, "300")
                .exchange()
                .expectStatus()
                .isEqualTo(504);
        assertThat(SLOW_CANCELLED).isTrue();
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> new DeadlineWebFilter(null, Duration.ofSeconds(1), null))
                .withMessage("header");
        assertThatNullPointerException()
                .isThrownBy(() -> new DeadlineWebFilter(HEADER, null, null))
                .withMessage("max");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new DeadlineWebFilter(HEADER, Duration.ZERO, null))
                .withMessage("max > 0 required but it was 0ms");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new DeadlineWebFilter(HEADER, Duration.ofSeconds(1), Duration.ofMillis(-1)))
                .withMessageStartingWith("defaultBudget > 0 required but it was ");
    }
}
