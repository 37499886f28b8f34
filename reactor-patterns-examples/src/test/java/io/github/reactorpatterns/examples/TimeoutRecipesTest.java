package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

import io.github.reactorpatterns.time.DeadlineExceededException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class TimeoutRecipesTest {

    private static Mono<String> after(long millis, String value) {
        return Mono.delay(Duration.ofMillis(millis)).thenReturn(value);
    }

    @Test
    void fetchWithTimeoutPassesAFastResultAndCancelsASlowCall() {
        StepVerifier.withVirtualTime(
                        () -> TimeoutRecipes.fetchWithTimeout("/a", Duration.ofSeconds(5), url -> after(4_999, "body")))
                .thenAwait(Duration.ofMillis(4_999))
                .expectNext("body")
                .verifyComplete();

        PublisherProbe<String> slow = PublisherProbe.of(Mono.never());
        List<String> log = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> TimeoutRecipes.fetchWithTimeoutLogged(
                        "/a", Duration.ofSeconds(5), url -> slow.mono(), log::add))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(4_999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DeadlineExceededException.class)
                        .isInstanceOf(TimeoutException.class))
                .verify(Duration.ofSeconds(5));
        slow.assertWasCancelled();
        assertThat(log).containsExactly("Timeout fetching /a");
    }

    @Test
    void fetchOrNoneCompletesEmptyOnTimeoutButKeepsOtherErrors() {
        StepVerifier.withVirtualTime(
                        () -> TimeoutRecipes.fetchOrNone("/a", Duration.ofSeconds(10), url -> Mono.never()))
                .thenAwait(Duration.ofSeconds(10))
                .verifyComplete();
        StepVerifier.create(TimeoutRecipes.fetchOrNone(
                        "/a", Duration.ofSeconds(10), url -> Mono.error(new IllegalStateException("503"))))
                .verifyErrorMessage("503");
    }

    @Test
    void fetchWithWaitForIsReactorsTimeout() {
        StepVerifier.withVirtualTime(() ->
                        TimeoutRecipes.fetchWithWaitFor("/a", Duration.ofSeconds(10), url -> after(20_000, "late")))
                .thenAwait(Duration.ofSeconds(10))
                .verifyError(TimeoutException.class);
    }

    @Test
    void nestedCallsStayInsideTheOuterDeadline() {
        // /profile takes 2.5 s: /orders has only 0.5 s left of the page's 3 s, not its own 2 s
        StepVerifier.withVirtualTime(() ->
                        TimeoutRecipes.loadPage(url -> url.equals("/profile") ? after(2_500, "p") : after(1_000, "o")))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2_999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(DeadlineExceededException.class)
                        .extracting(x -> ((DeadlineExceededException) x).budget())
                        .isEqualTo(Duration.ofSeconds(3)))
                .verify(Duration.ofSeconds(5));

        StepVerifier.withVirtualTime(() ->
                        TimeoutRecipes.loadPage(url -> url.equals("/profile") ? after(100, "p") : after(1_000, "o")))
                .thenAwait(Duration.ofMillis(1_100))
                .expectNext("o")
                .verifyComplete();
    }
}
