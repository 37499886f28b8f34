package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

class KeyedLockTest {

    @Test
    void sameKeyRunsOneAtATimeDifferentKeysRunInParallel() {
        KeyedLock<Integer> locks = KeyedLock.of();
        Map<Integer, ConcurrencyProbe> perKey = new ConcurrentHashMap<>();
        ConcurrencyProbe overall = ConcurrencyProbe.create();
        Flux<Integer> work = Flux.range(0, 2_000)
                .flatMap(
                        i -> {
                            int key = i % 4;
                            ConcurrencyProbe probe = perKey.computeIfAbsent(key, k -> ConcurrencyProbe.create());
                            return locks.withLock(
                                    key,
                                    overall.wrap(probe.wrap(Mono.just(i)
                                            .delayElement(Duration.ofNanos(100_000), Schedulers.parallel()))));
                        },
                        64);
        StepVerifier.create(work.count()).expectNext(2_000L).verifyComplete();
        perKey.values().forEach(p -> p.assertMaxAtMost(1));
        assertThat(overall.max()).isGreaterThan(1);
        assertThat(locks.size()).isZero();
    }

    @Test
    void aMillionDistinctKeysLeaveTheMapEmpty() {
        KeyedLock<Integer> locks = KeyedLock.of();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1_000_000; i++) {
            locks.withLock(i, Mono.fromCallable(ran::incrementAndGet)).subscribe();
        }
        assertThat(ran.get()).isEqualTo(1_000_000);
        assertThat(locks.size()).isZero();
    }

    @Test
    void entryLivesWhileHeldOrAwaitedAndGoesOnErrorAndCancel() {
        KeyedLock<String> locks = KeyedLock.of();
        Sinks.Empty<Void> gate = Sinks.empty();
        List<String> order = new CopyOnWriteArrayList<>();
        // Record when each critical section starts.
        locks.withLock("a", gate.asMono().doOnSubscribe(s -> order.add("holder")))
                .subscribe();
        Disposable cancelled = locks.withLock("a", Mono.fromRunnable(() -> order.add("cancelled")))
                .subscribe();
        locks.withLock("a", Flux.defer(() -> {
                    order.add("waiter");
                    return Flux.just(1);
                }))
                .subscribe();
        locks.withLock("a", Mono.defer(() -> {
                    order.add("error");
                    return Mono.error(new IllegalStateException("boom"));
                }))
                .subscribe(null, e -> {});
        assertThat(locks.isLocked("a")).isTrue();
        assertThat(locks.isLocked("b")).isFalse();
        assertThat(locks.size()).isEqualTo(1);
        cancelled.dispose();
        gate.tryEmitEmpty();
        assertThat(order).containsExactly("holder", "waiter", "error");
        assertThat(locks.size()).isZero();
        assertThat(locks.isLocked("a")).isFalse();
    }

    @Test
    void racingAcquireAndReleaseOfOneKeyOnTwoThreadsLeavesNoEntry() {
        KeyedLock<String> locks = KeyedLock.of();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        Runnable task = () -> locks.withLock("k", Mono.fromRunnable(() -> {
                    if (inside.incrementAndGet() > 1) {
                        violations.incrementAndGet();
                    }
                    inside.decrementAndGet();
                }))
                .subscribe();
        for (int i = 0; i < 5_000; i++) {
            RaceTestUtils.race(task, task);
        }
        assertThat(violations.get()).isZero();
        assertThat(locks.size()).isZero();
    }

    @Test
    void nullArgumentsAreRejected() {
        KeyedLock<String> locks = KeyedLock.of();
        assertThatNullPointerException()
                .isThrownBy(() -> locks.withLock(null, Mono.empty()))
                .withMessage("key");
        assertThatNullPointerException()
                .isThrownBy(() -> locks.withLock("k", (Mono<Object>) null))
                .withMessage("task");
        assertThatNullPointerException()
                .isThrownBy(() -> locks.withLock("k", (Flux<Object>) null))
                .withMessage("task");
        assertThatNullPointerException().isThrownBy(() -> locks.isLocked(null)).withMessage("key");
    }
}
