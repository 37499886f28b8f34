package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class BackgroundRecipesTest {

    @Test
    void aBackgroundTaskIsKeptUntilItEndsAndCanBeCancelled() {
        int before = BackgroundRecipes.BACKGROUND_TASKS.active();
        PublisherProbe<Object> task = PublisherProbe.of(Mono.never());
        Disposable handle = BackgroundRecipes.createBackgroundTask(task.mono());
        task.assertWasSubscribed();
        assertThat(BackgroundRecipes.BACKGROUND_TASKS.active()).isEqualTo(before + 1);
        handle.dispose();
        task.assertWasCancelled();
        assertThat(BackgroundRecipes.BACKGROUND_TASKS.active()).isEqualTo(before);

        BackgroundRecipes.createBackgroundTask(Mono.empty()); // ends at once: released at once
        assertThat(BackgroundRecipes.BACKGROUND_TASKS.active()).isEqualTo(before);
    }

    @Test
    void taskManagerShutdownCancelsEveryTaskAndWaitsForIt() {
        AtomicInteger cleanedUp = new AtomicInteger();
        PublisherProbe<Object> first = PublisherProbe.of(Mono.never().doOnCancel(cleanedUp::incrementAndGet));
        PublisherProbe<Object> second = PublisherProbe.of(Mono.never().doOnCancel(cleanedUp::incrementAndGet));
        StepVerifier.create(BackgroundRecipes.taskManager(first.mono(), second.mono()))
                .verifyComplete();
        first.assertWasCancelled();
        second.assertWasCancelled();
        assertThat(cleanedUp).hasValue(2);
    }

    @Test
    void mainRunsTheWorkerEveryFiveSecondsForTwentySeconds() {
        List<String> printed = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> BackgroundRecipes.main(printed::add))
                .expectSubscription()
                .then(() -> assertThat(printed).hasSize(1))
                .thenAwait(Duration.ofSeconds(19))
                .then(() -> assertThat(printed).hasSize(4).allMatch("Worker processor running..."::equals))
                .thenAwait(Duration.ofSeconds(1))
                .verifyComplete();
        int atTheEnd = printed.size();
        assertThat(atTheEnd).isBetween(4, 5); // the tick at 20 s races with the end of "other work", as in Python
    }
}
