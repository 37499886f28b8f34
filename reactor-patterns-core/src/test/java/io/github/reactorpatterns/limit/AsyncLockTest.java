package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class AsyncLockTest {

    private int counter;

    @Test
    void guardsACounterAcrossManyConcurrentTasks() {
        AsyncLock lock = AsyncLock.of();
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        Mono<Integer> increment =
                lock.withLock(probe.wrap(Mono.fromCallable(() -> ++counter).subscribeOn(Schedulers.parallel())));
        StepVerifier.create(Flux.range(0, 2_000).flatMap(i -> increment, 64).count())
                .expectNext(2_000L)
                .verifyComplete();
        assertThat(counter).isEqualTo(2_000);
        probe.assertMaxAtMost(1);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void isLockedWhileATaskRunsAndWaitersQueueInOrder() {
        AsyncLock lock = AsyncLock.of();
        Sinks.Empty<Void> gate = Sinks.empty();
        List<String> order = new CopyOnWriteArrayList<>();
        // Record when each critical section starts.
        lock.withLock(gate.asMono().doOnSubscribe(s -> order.add("first"))).subscribe();
        lock.withLock(Mono.fromRunnable(() -> order.add("second"))).subscribe();
        lock.withLock(Flux.defer(() -> {
                    order.add("third");
                    return Flux.just(3);
                }))
                .subscribe();
        assertThat(lock.isLocked()).isTrue();
        assertThat(lock.waiting()).isEqualTo(2);
        gate.tryEmitEmpty();
        assertThat(order).containsExactly("first", "second", "third");
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.toString()).isEqualTo("AsyncLock[unlocked, waiting=0]");
    }

    @Test
    void releasedOnErrorAndCancel() {
        AsyncLock lock = AsyncLock.of();
        StepVerifier.create(lock.withLock(Mono.error(new IllegalStateException("boom"))))
                .verifyErrorMessage("boom");
        assertThat(lock.isLocked()).isFalse();
        PublisherProbe<Object> never = PublisherProbe.of(Mono.never());
        StepVerifier.create(lock.withLock(never.mono()))
                .expectSubscription()
                .then(() -> assertThat(lock.isLocked()).isTrue())
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        never.assertWasCancelled();
        assertThat(lock.isLocked()).isFalse();
        StepVerifier.create(lock.withLock(Flux.<Integer>empty())).verifyComplete();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void isNotReentrant() {
        // Like asyncio.Lock: a locked section that asks for the same lock waits for itself.
        AsyncLock lock = AsyncLock.of();
        PublisherProbe<String> inner = PublisherProbe.of(Mono.just("inner"));
        StepVerifier.create(lock.withLock(lock.withLock(inner.mono())))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> assertThat(lock.waiting()).isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        inner.assertWasNotSubscribed();
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.waiting()).isZero();
    }

    @Test
    void nullTaskIsRejected() {
        AsyncLock lock = AsyncLock.of();
        assertThatNullPointerException()
                .isThrownBy(() -> lock.withLock((Mono<Object>) null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> lock.withLock((Flux<Object>) null))
                .withMessage("task");
    }
}
