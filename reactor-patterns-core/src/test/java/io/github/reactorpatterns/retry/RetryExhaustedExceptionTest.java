package io.github.reactorpatterns.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryExhaustedExceptionTest {

    @Test
    void carriesAttemptsElapsedAndTheLastErrorAsCause() {
        IOException last = new IOException("down");
        RetryExhaustedException e = new RetryExhaustedException(3, Duration.ofMillis(1500), last);
        assertThat(e)
                .hasMessage("Retries exhausted: 3 attempts in 1500ms; last error: java.io.IOException: down")
                .hasCause(last);
        assertThat(e.attempts()).isEqualTo(3);
        assertThat(e.elapsed()).isEqualTo(Duration.ofMillis(1500));
        assertThat(new RetryExhaustedException(1, Duration.ZERO, last))
                .hasMessage("Retries exhausted: 1 attempt in 0ms; last error: java.io.IOException: down");
    }

    @Test
    void badArgumentsFailWithExactMessages() {
        assertThatNullPointerException()
                .isThrownBy(() -> new RetryExhaustedException(1, null, new IOException()))
                .withMessage("elapsed");
        assertThatNullPointerException()
                .isThrownBy(() -> new RetryExhaustedException(1, Duration.ZERO, null))
                .withMessage("lastError");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryExhaustedException(0, Duration.ZERO, new IOException()))
                .withMessage("attempts >= 1 required but it was 0");
    }
}
