package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@MockHttpServerTest
class HandlerRecipesTest {

    private static HandlerRecipes.OrderHandler handler(
            MockHttpServer server, List<String> notified, AtomicInteger cancelled, Sinks.Empty<Void> mailServer) {
        return handler(server, notified, cancelled, mailServer, Duration.ofSeconds(30));
    }

    private static HandlerRecipes.OrderHandler handler(
            MockHttpServer server,
            List<String> notified,
            AtomicInteger cancelled,
            Sinks.Empty<Void> mailServer,
            Duration stockDeadline) {
        PooledHttpClient inventory = PooledHttpClient.builder()
                .baseUrl(server.url("/").toString())
                .retry(RetryPolicy.none())
                .build();
        return new HandlerRecipes.OrderHandler(
                inventory,
                saved -> mailServer
                        .asMono()
                        .doOnSuccess(v -> notified.add(saved))
                        .doOnCancel(cancelled::incrementAndGet),
                stockDeadline);
    }

    @Test
    void manyConcurrentRequestsShareOneLimitOnTheDownstream(MockHttpServer server) {
        // In flight = arrived at the server, answer not yet received by the caller. A request arrives only after its
        // permit was granted, and its answer reaches the caller before the permit is released, so this counts
        // exactly the calls that hold a permit. (The server's own counter lags: it sees a request end only after its
        // last write completed, by which time the client may have sent the next one.)
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        server.dispatcher(request -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return MockResponse.builder()
                    .headersDelay(Duration.ofMillis(30))
                    .body(request.method().equals("POST") ? "saved " + request.bodyUtf8() : "42 of " + request.path())
                    .build();
        });
        List<String> notified = new CopyOnWriteArrayList<>();
        AtomicInteger cancelled = new AtomicInteger();
        Sinks.Empty<Void> mailServer = Sinks.empty();
        HandlerRecipes.OrderHandler handler = handler(server, notified, cancelled, mailServer);

        // 60 "requests", as WebFlux would run them: concurrently, on several threads
        Flux<String> requests = Flux.range(0, 60)
                .flatMap(
                        i -> Mono.defer(() -> i % 2 == 0 ? handler.stock("sku" + i) : handler.createOrder("order" + i))
                                .doOnNext(answer -> inFlight.decrementAndGet())
                                .subscribeOn(Schedulers.parallel()),
                        60);
        StepVerifier.create(requests).expectNextCount(60).expectComplete().verify(Duration.ofSeconds(60));
        assertThat(server.requestCount()).isEqualTo(60);
        assertThat(maxInFlight.get()).isBetween(2, 10); // 60 concurrent requests, never more than 10 downstream
        assertThat(handler.backgroundTasks()).isEqualTo(30); // notifications still waiting for the mail server

        mailServer.tryEmitEmpty(); // the mail server answers: every notification ends
        assertThat(notified).hasSize(30).allMatch(n -> n.startsWith("saved order"));
        assertThat(handler.backgroundTasks()).isZero();
        StepVerifier.create(handler.shutdown()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(cancelled).hasValue(0);
    }

    @Test
    void shutdownCancelsTheNotificationsStillRunning(MockHttpServer server) {
        server.dispatcher(request -> MockResponse.of(200, "saved"));
        List<String> notified = new CopyOnWriteArrayList<>();
        AtomicInteger cancelled = new AtomicInteger();
        HandlerRecipes.OrderHandler handler = handler(server, notified, cancelled, Sinks.empty());
        StepVerifier.create(Flux.range(0, 5).concatMap(i -> handler.createOrder("o" + i)))
                .expectNextCount(5)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(handler.backgroundTasks()).isEqualTo(5);
        StepVerifier.create(handler.shutdown()).expectComplete().verify(Duration.ofSeconds(10));
        assertThat(cancelled).hasValue(5);
        assertThat(notified).isEmpty();
        assertThat(handler.backgroundTasks()).isZero();
    }

    @Test
    void aSlowDownstreamFailsTheRequestAtItsDeadline(MockHttpServer server) {
        server.dispatcher(request -> MockResponse.builder()
                .headersDelay(Duration.ofSeconds(3))
                .body("late")
                .build());
        HandlerRecipes.OrderHandler handler = handler(
                server, new CopyOnWriteArrayList<>(), new AtomicInteger(), Sinks.empty(), Duration.ofMillis(200));
        StepVerifier.create(handler.stock("slow"))
                .expectError(DeadlineExceededException.class)
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(handler.shutdown()).expectComplete().verify(Duration.ofSeconds(10));
    }
}
