package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class OutcomeTest {

    @Test
    void valueBecomesSuccessWithValue() {
        StepVerifier.create(Outcome.of(Mono.just("a")))
                .assertNext(outcome -> {
                    assertThat(outcome.isSuccess()).isTrue();
                    assertThat(outcome.value()).contains("a");
                    assertThat(outcome.error()).isEmpty();
                })
                .verifyComplete();
    }

    @Test
    void emptyTaskIsSuccessWithoutValue() {
        StepVerifier.create(Outcome.of(Mono.empty()))
                .assertNext(outcome -> {
                    assertThat(outcome).isEqualTo(Outcome.empty());
                    assertThat(outcome.isSuccess()).isTrue();
                    assertThat(outcome.value()).isEmpty();
                    assertThat(outcome).isNotEqualTo(Outcome.success("x"));
                })
                .verifyComplete();
    }

    @Test
    void errorBecomesFailureWithTheSameError() {
        IOException boom = new IOException("boom");
        StepVerifier.create(Outcome.of(Mono.error(boom)))
                .assertNext(outcome -> {
                    assertThat(outcome.isFailure()).isTrue();
                    assertThat(outcome.error()).containsSame(boom);
                    assertThat(outcome.value()).isEmpty();
                    assertThat(outcome).isEqualTo(new Outcome.Failure<>(boom));
                })
                .verifyComplete();
    }

    @Test
    void isLazyAndResubscribes() {
        PublisherProbe<String> probe = PublisherProbe.of(Mono.just("a"));
        Mono<Outcome<String>> settled = Outcome.of(probe.mono());
        probe.assertWasNotSubscribed();
        settled.block(Duration.ofSeconds(1));
        settled.block(Duration.ofSeconds(1));
        assertThat(probe.subscribeCount()).isEqualTo(2);
    }

    @Test
    void cancellingTheOutcomeCancelsTheTask() {
        TestPublisher<String> task = TestPublisher.create();
        StepVerifier.create(Outcome.of(task.mono())).thenCancel().verify(Duration.ofSeconds(5));
        task.assertCancelled();
    }

    @Test
    void mapTransformsOnlyAValue() {
        assertThat(Outcome.success(2).map(i -> i * 10)).isEqualTo(Outcome.success(20));
        assertThat(Outcome.<Integer>empty().map(i -> i * 10)).isEqualTo(Outcome.empty());
        IllegalStateException error = new IllegalStateException("x");
        assertThat(Outcome.<Integer>failure(error).map(i -> i * 10).error()).containsSame(error);
    }

    @Test
    void foldPicksTheBranch() {
        assertThat(Outcome.success("v").fold(v -> v.orElse("none"), Throwable::getMessage))
                .isEqualTo("v");
        assertThat(Outcome.<String>empty().fold(v -> v.orElse("none"), Throwable::getMessage))
                .isEqualTo("none");
        assertThat(Outcome.<String>failure(new IOException("io")).fold(v -> "ok", Throwable::getMessage))
                .isEqualTo("io");
    }

    @Test
    void rejectsNullArguments() {
        assertThatNullPointerException().isThrownBy(() -> Outcome.of(null)).withMessage("task");
        assertThatNullPointerException().isThrownBy(() -> Outcome.success(null)).withMessage("value");
        assertThatNullPointerException().isThrownBy(() -> Outcome.failure(null)).withMessage("error");
        assertThatNullPointerException()
                .isThrownBy(() -> new Outcome.Success<>(null))
                .withMessage("value");
        assertThatNullPointerException()
                .isThrownBy(() -> new Outcome.Failure<>(null))
                .withMessage("cause");
        assertThatNullPointerException()
                .isThrownBy(() -> Outcome.success(1).map(null))
                .withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> Outcome.success(1).fold(null, e -> 0))
                .withMessage("onSuccess");
        assertThatNullPointerException()
                .isThrownBy(() -> Outcome.success(1).fold(v -> 0, null))
                .withMessage("onFailure");
        assertThat(Outcome.success(1).value()).isEqualTo(Optional.of(1));
    }
}
