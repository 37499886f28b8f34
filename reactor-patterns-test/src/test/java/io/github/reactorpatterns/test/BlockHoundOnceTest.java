package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The once-only installation behind {@link BlockHoundExtension#install()}. */
class BlockHoundOnceTest {

    /**
     * Regression: the extension marked itself installed before BlockHound.install() had finished, so a test class
     * starting in parallel returned from install() at once and ran unguarded.
     */
    @Test
    void concurrentInstallWaitsUntilTheInstallationHasFinished() throws Exception {
        BlockHoundExtension.Once once = new BlockHoundExtension.Once();
        CountDownLatch installing = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Thread first = new Thread(
                () -> once.run(() -> {
                    runs.incrementAndGet();
                    installing.countDown();
                    try {
                        finish.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }),
                "first-installer");
        CountDownLatch secondReturned = new CountDownLatch(1);
        Thread second = new Thread(
                () -> {
                    once.run(runs::incrementAndGet);
                    secondReturned.countDown();
                },
                "second-installer");
        first.start();
        assertThat(installing.await(10, TimeUnit.SECONDS)).isTrue();
        second.start();

        // The second caller waits for the first installation instead of returning unguarded.
        await().atMost(Duration.ofSeconds(10)).until(() -> second.getState() == Thread.State.BLOCKED);
        assertThat(secondReturned.getCount()).isEqualTo(1);
        assertThat(once.isDone()).isFalse();

        finish.countDown();
        assertThat(secondReturned.await(10, TimeUnit.SECONDS)).isTrue();
        first.join(10_000);
        assertThat(once.isDone()).isTrue();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aFailedInstallationIsTriedAgain() {
        BlockHoundExtension.Once once = new BlockHoundExtension.Once();
        assertThatIllegalStateException()
                .isThrownBy(() -> once.run(() -> {
                    throw new IllegalStateException("no agent");
                }))
                .withMessage("no agent");
        assertThat(once.isDone()).isFalse();
        AtomicInteger runs = new AtomicInteger();
        once.run(runs::incrementAndGet);
        once.run(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
        assertThat(once.isDone()).isTrue();
    }
}
