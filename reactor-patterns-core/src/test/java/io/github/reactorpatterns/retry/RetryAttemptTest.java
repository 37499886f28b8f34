package io.github.reactorpatterns.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class RetryAttemptTest {

    @Test
    void onlyBackoffAndRetryAfterRetry() {
        assertThat(Arrays.stream(RetryAttempt.Reason.values()).filter(RetryAttempt.Reason::retries))
                .containsExactly(RetryAttempt.Reason.BACKOFF, RetryAttempt.Reason.RETRY_AFTER);
        IOException io = new IOException("io");
        assertThat(new RetryAttempt(1, Duration.ZERO, io, RetryAttempt.Reason.BACKOFF).willRetry())
                .isTrue();
        assertThat(new RetryAttempt(1, Duration.ZERO, io, RetryAttempt.Reason.DEADLINE).willRetry())
                .isFalse();
    }

    @Test
    void badArgumentsFailWithExactMessages() {
        IOException io = new IOException("io");
        assertThatNullPointerException()
                .isThrownBy(() -> new RetryAttempt(1, null, io, RetryAttempt.Reason.BACKOFF))
                .withMessage("delay");
        assertThatNullPointerException()
                .isThrownBy(() -> new RetryAttempt(1, Duration.ZERO, null, RetryAttempt.Reason.BACKOFF))
                .withMessage("error");
        assertThatNullPointerException()
                .isThrownBy(() -> new RetryAttempt(1, Duration.ZERO, io, null))
                .withMessage("reason");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryAttempt(0, Duration.ZERO, io, RetryAttempt.Reason.BACKOFF))
                .withMessage("attempt >= 1 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RetryAttempt(1, Duration.ofMillis(-1), io, RetryAttempt.Reason.BACKOFF))
                .withMessage("delay >= 0 required but it was PT-0.001S");
    }
}
