package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.retry.RetryExhaustedException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RetryRecipesTest {

    @Test
    void retryAsyncWaitsOneThenTwoSecondsAndSucceedsOnTheThirdTry() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> RetryRecipes.retryAsync(
                        Mono.defer(() -> attempts.incrementAndGet() < 3
                                ? Mono.error(new IOException("reset"))
                                : Mono.just("ok")),
                        3,
                        Duration.ofSeconds(1),
                        2.0))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2_999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext("ok")
                .verifyComplete();
        assertThat(attempts).hasValue(3);
    }

    @Test
    void retryAsyncGivesUpAfterMaxRetriesAttemptsWithTheLastErrorAsCause() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> RetryRecipes.usage(
                        url -> Mono.defer(() -> Mono.error(new IOException("attempt " + attempts.incrementAndGet())))))
                .thenAwait(Duration.ofSeconds(1 + 2 + 4 + 8))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(RetryExhaustedException.class)
                        .hasCauseInstanceOf(IOException.class)
                        .cause()
                        .hasMessage("attempt 5"))
                .verify(Duration.ofSeconds(5));
        assertThat(attempts).hasValue(5);
    }

    @Test
    void theProductionPolicyDoesNotRetryAnErrorItWasNotToldTo() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.create(Mono.defer(() -> {
                            attempts.incrementAndGet();
                            return Mono.error(new IllegalArgumentException("400 bad request"));
                        })
                        .retryWhen(RetryRecipes.POLICY))
                .verifyErrorMessage("400 bad request");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void theProductionPolicyRetriesIoErrorsWithBackoff() {
        AtomicInteger attempts = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> Mono.defer(() -> attempts.incrementAndGet() < 3
                                ? Mono.<String>error(new IOException("reset"))
                                : Mono.just("ok"))
                        .retryWhen(RetryRecipes.POLICY))
                .thenAwait(Duration.ofSeconds(10))
                .expectNext("ok")
                .verifyComplete();
        assertThat(attempts).hasValue(3);
    }
}
