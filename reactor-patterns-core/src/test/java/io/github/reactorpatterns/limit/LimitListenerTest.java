package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The listener hooks of {@link AsyncSemaphore} and {@link TokenBucket}. */
class LimitListenerTest {

    /** Records every event as a string. */
    static final class Events implements SemaphoreListener, TokenBucketListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Duration> waits = new CopyOnWriteArrayList<>();

        @Override
        public void onAcquired(int permits, Duration waited) {
            events.add("acquired " + permits);
            waits.add(waited);
        }

        @Override
        public void onRejected(int permits) {
            events.add("rejected " + permits);
        }

        @Override
        public void onGranted(int tokens, Duration waited) {
            events.add("granted " + tokens);
            waits.add(waited);
        }

        @Override
        public void onPaused(Duration pause) {
            events.add("paused " + pause);
        }
    }

    @Test
    void semaphoreReportsGrantsWithTheirWaitAndRefusals() {
        Events events = new Events();
        AsyncSemaphore semaphore =
                AsyncSemaphore.builder(2).maxWaiters(1).listener(events).build();
        Permit two = semaphore.acquire(2).block();
        assertThat(events.events).containsExactly("acquired 2");
        assertThat(events.waits).containsExactly(Duration.ZERO);

        List<Permit> granted = new CopyOnWriteArrayList<>();
        semaphore.acquire().subscribe(granted::add); // waits
        StepVerifier.create(semaphore.acquire())
                .expectError(SemaphoreFullException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(semaphore.tryAcquireNow()).isEmpty();
        assertThat(events.events).containsExactly("acquired 2", "rejected 1", "rejected 1");

        two.release();
        assertThat(granted).hasSize(1);
        assertThat(events.events).containsExactly("acquired 2", "rejected 1", "rejected 1", "acquired 1");
        assertThat(events.waits.get(1)).isPositive();
        assertThat(semaphore.tryAcquireNow()).isPresent();
        assertThat(events.events).endsWith("acquired 1", "acquired 1");
    }

    @Test
    void aCancelledWaiterIsNotReportedAsAcquired() {
        Events events = new Events();
        AsyncSemaphore semaphore = AsyncSemaphore.builder(1).listener(events).build();
        Permit held = semaphore.acquire().block();
        Disposable waiter = semaphore.acquire().subscribe();
        waiter.dispose();
        held.release();
        assertThat(events.events).containsExactly("acquired 1");
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void aThrowingListenerDoesNotBreakTheSemaphore() {
        AsyncSemaphore semaphore = AsyncSemaphore.builder(1)
                .listener(new SemaphoreListener() {
                    @Override
                    public void onAcquired(int permits, Duration waited) {
                        throw new IllegalStateException("boom");
                    }
                })
                .build();
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(semaphore.withPermit(Mono.just(i)))
                    .expectNext(i)
                    .verifyComplete();
        }
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void bucketReportsGrantsWithTheirWaitOnItsClockAndPauses() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        Events events = new Events();
        TokenBucket bucket = TokenBucket.builder()
                .rate(1, Duration.ofSeconds(1))
                .burst(1)
                .scheduler(vts)
                .listener(events)
                .build();
        assertThat(bucket.tryAcquireNow(1)).isTrue();
        assertThat(bucket.tryAcquireNow(1)).isFalse();
        bucket.acquire().subscribe(); // waits one second
        Disposable cancelled = bucket.acquire().subscribe();
        cancelled.dispose();
        vts.advanceTimeBy(Duration.ofSeconds(1));
        bucket.pauseNow(Duration.ofSeconds(3));
        assertThat(events.events).containsExactly("granted 1", "granted 1", "paused PT3S");
        assertThat(events.waits).containsExactly(Duration.ZERO, Duration.ofSeconds(1));
    }

    @Test
    void aThrowingBucketListenerDoesNotBreakTheBucket() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        TokenBucket bucket = TokenBucket.builder()
                .rate(1, Duration.ofSeconds(1))
                .scheduler(vts)
                .listener(new TokenBucketListener() {
                    @Override
                    public void onGranted(int tokens, Duration waited) {
                        throw new IllegalStateException("boom");
                    }
                })
                .build();
        List<Long> grants = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            bucket.acquire().subscribe(null, null, () -> grants.add(vts.now(java.util.concurrent.TimeUnit.SECONDS)));
        }
        vts.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(grants).containsExactly(0L, 1L, 2L);
    }

    @Test
    void listenersMustNotBeNull() {
        assertThatNullPointerException()
                .isThrownBy(() -> AsyncSemaphore.builder(1).listener(null))
                .withMessage("listener");
        assertThatNullPointerException()
                .isThrownBy(() -> TokenBucket.builder().listener(null))
                .withMessage("listener");
    }
}
