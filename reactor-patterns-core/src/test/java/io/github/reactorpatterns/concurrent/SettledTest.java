package io.github.reactorpatterns.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class SettledTest {

    private final IOException io = new IOException("io");
    private final FileNotFoundException missing = new FileNotFoundException("missing");
    private final TimeoutException timeout = new TimeoutException("timeout");

    @Test
    void splitsSuccessesAndFailuresKeepingInputOrder() {
        Settled<String> settled = Settled.of(List.of(
                Outcome.success("a"),
                Outcome.failure(io),
                Outcome.empty(),
                Outcome.failure(timeout),
                Outcome.success("b"),
                Outcome.failure(missing)));
        assertThat(settled.total()).isEqualTo(6);
        assertThat(settled.successes()).containsExactly("a", "b");
        assertThat(settled.successCount()).isEqualTo(3);
        assertThat(settled.failures()).containsExactly(io, timeout, missing);
        assertThat(settled.allSucceeded()).isFalse();
        assertThat(settled.outcomes()).hasSize(6).element(2).isEqualTo(Outcome.empty());
    }

    @Test
    void failuresOfIsTheExceptStarSplitIncludingSubclasses() {
        Settled<String> settled =
                Settled.of(List.of(Outcome.failure(io), Outcome.failure(timeout), Outcome.failure(missing)));
        assertThat(settled.failuresOf(IOException.class)).containsExactly(io, missing);
        assertThat(settled.failuresOf(TimeoutException.class)).containsExactly(timeout);
        assertThat(settled.failuresOf(IllegalStateException.class)).isEmpty();
    }

    @Test
    void emptySuccessesCountButHaveNoValue() {
        Settled<String> settled = Settled.of(List.of(Outcome.empty(), Outcome.empty()));
        assertThat(settled.successes()).isEmpty();
        assertThat(settled.successCount()).isEqualTo(2);
        assertThat(settled.allSucceeded()).isTrue();
    }

    @Test
    void emptyReportSucceeded() {
        Settled<String> settled = Settled.of(List.of());
        assertThat(settled.total()).isZero();
        assertThat(settled.allSucceeded()).isTrue();
        assertThat(settled.successes()).isEmpty();
        assertThat(settled.failures()).isEmpty();
    }

    @Test
    void isImmutableAndCopiesItsInput() {
        List<Outcome<String>> outcomes = new ArrayList<>(List.of(Outcome.success("a"), Outcome.failure(io)));
        Settled<String> settled = Settled.of(outcomes);
        outcomes.clear();
        assertThat(settled.total()).isEqualTo(2);
        assertThatThrownBy(() -> settled.successes().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> settled.failures().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> settled.outcomes().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> settled.failuresOf(IOException.class).clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equalityFollowsTheOutcomes() {
        assertThat(Settled.of(List.of(Outcome.success("a"), Outcome.failure(io))))
                .isEqualTo(Settled.of(List.of(Outcome.success("a"), Outcome.failure(io))))
                .hasSameHashCodeAs(Settled.of(List.of(Outcome.success("a"), Outcome.failure(io))))
                .isNotEqualTo(Settled.of(List.of(Outcome.success("a"))))
                .hasToString("Settled[total=2, successes=1, failures=1]");
    }

    @Test
    void rejectsNulls() {
        assertThatNullPointerException().isThrownBy(() -> Settled.of(null)).withMessage("outcomes");
        assertThatNullPointerException().isThrownBy(() -> Settled.of(Arrays.asList(Outcome.success("a"), null)));
        assertThatNullPointerException()
                .isThrownBy(() -> Settled.of(List.of()).failuresOf(null))
                .withMessage("type");
    }
}
