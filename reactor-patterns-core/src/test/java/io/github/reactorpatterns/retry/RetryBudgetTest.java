package io.github.reactorpatterns.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

class RetryBudgetTest {

    @Test
    void defaultsAreFinaglesAndStartWithTheReserve() {
        assertThat(RetryBudget.DEFAULT_TTL).isEqualTo(Duration.ofSeconds(10));
        assertThat(RetryBudget.DEFAULT_MIN_RETRIES_PER_SECOND).isEqualTo(10);
        assertThat(RetryBudget.DEFAULT_PERCENT_CAN_RETRY).isEqualTo(0.2);
        assertThat(RetryBudget.ofDefaults().available()).isEqualTo(100);
    }

    @Test
    void everyFiveFirstAttemptsBuyOneRetryAtTwentyPercent() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        RetryBudget budget = RetryBudget.of(Duration.ofSeconds(10), 0, 0.2, clock);
        assertThat(budget.tryWithdraw()).isFalse();
        for (int i = 0; i < 12; i++) {
            budget.deposit();
        }
        assertThat(budget.available()).isEqualTo(2);
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isFalse();
        assertThat(budget)
                .hasToString("RetryBudget[ttl=PT10S, minRetriesPerSecond=0, percentCanRetry=0.2, " + "available=0]");
    }

    @Test
    void depositsExpireAfterTheTtl() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        RetryBudget budget = RetryBudget.of(Duration.ofSeconds(10), 0, 0.5, clock);
        for (int i = 0; i < 10; i++) {
            budget.deposit();
        }
        assertThat(budget.available()).isEqualTo(5);
        clock.advanceTimeBy(Duration.ofSeconds(8));
        assertThat(budget.available()).as("still inside the window").isEqualTo(5);
        clock.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(budget.available()).as("expired after ttl").isZero();
    }

    @Test
    void withdrawalsExpireTooSoTheReserveRefills() {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        RetryBudget budget = RetryBudget.of(Duration.ofSeconds(1), 3, 0.0, clock);
        assertThat(budget.available()).isEqualTo(3);
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isTrue();
        assertThat(budget.tryWithdraw()).isFalse();
        clock.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(budget.available()).isEqualTo(3);
    }

    @Test
    void racingWithdrawalsNeverOverdraw() {
        for (int round = 0; round < 2_000; round++) {
            RetryBudget budget = RetryBudget.of(Duration.ofSeconds(1), 1, 0.0, Schedulers.parallel());
            AtomicInteger granted = new AtomicInteger();
            RaceTestUtils.race(
                    () -> {
                        if (budget.tryWithdraw()) {
                            granted.incrementAndGet();
                        }
                    },
                    () -> {
                        if (budget.tryWithdraw()) {
                            granted.incrementAndGet();
                        }
                    });
            assertThat(granted).hasValue(1);
        }
    }

    @Test
    void racingDepositsAreAllCounted() {
        RetryBudget budget = RetryBudget.of(Duration.ofSeconds(60), 0, 1.0, Schedulers.parallel());
        for (int round = 0; round < 2_000; round++) {
            RaceTestUtils.race(budget::deposit, budget::deposit);
        }
        assertThat(budget.available()).isEqualTo(4_000);
    }

    @Test
    void badArgumentsFailWithExactMessages() {
        assertThatNullPointerException()
                .isThrownBy(() -> RetryBudget.of(null, 1, 0.2))
                .withMessage("ttl");
        assertThatNullPointerException()
                .isThrownBy(() -> RetryBudget.of(Duration.ofSeconds(1), 1, 0.2, null))
                .withMessage("clock");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryBudget.of(Duration.ofMillis(500), 1, 0.2))
                .withMessage("ttl in [PT1S, PT1M] required but it was PT0.5S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryBudget.of(Duration.ofMinutes(2), 1, 0.2))
                .withMessage("ttl in [PT1S, PT1M] required but it was PT2M");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryBudget.of(Duration.ofSeconds(1), -1, 0.2))
                .withMessage("minRetriesPerSecond >= 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryBudget.of(Duration.ofSeconds(1), 1, 1.5))
                .withMessage("percentCanRetry in [0, 1] required but it was 1.5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RetryBudget.of(Duration.ofSeconds(1), 1, Double.NaN))
                .withMessage("percentCanRetry in [0, 1] required but it was NaN");
    }
}
