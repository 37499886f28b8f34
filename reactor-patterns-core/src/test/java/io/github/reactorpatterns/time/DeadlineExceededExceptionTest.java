package io.github.reactorpatterns.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class DeadlineExceededExceptionTest {

    @Test
    void isATimeoutExceptionThatStatesItsBudget() {
        DeadlineExceededException e = new DeadlineExceededException(Duration.ofMillis(500));
        assertThat(e).isInstanceOf(TimeoutException.class).hasMessage("deadline of 500ms exceeded");
        assertThat(e.budget()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void wholeSecondsAreStatedInMilliseconds() {
        assertThat(new DeadlineExceededException(Duration.ofSeconds(2))).hasMessage("deadline of 2000ms exceeded");
    }

    @Test
    void subMillisecondBudgetsAreStatedExactly() {
        assertThat(new DeadlineExceededException(Duration.ofNanos(1_500_000)))
                .hasMessage("deadline of PT0.0015S exceeded");
    }

    @Test
    void nullBudgetIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> new DeadlineExceededException(null))
                .withMessage("budget");
    }
}
