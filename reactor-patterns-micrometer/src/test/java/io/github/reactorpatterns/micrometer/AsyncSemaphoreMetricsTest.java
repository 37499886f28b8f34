package io.github.reactorpatterns.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.limit.SemaphoreFullException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class AsyncSemaphoreMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).tag("name", "api").gauge().value();
    }

    private static double counter(MeterRegistry registry, String name) {
        return registry.get(name).tag("name", "api").functionCounter().count();
    }

    @Test
    void everyMeterFollowsGrantsWaitsRejectionsAndCancels() {
        AsyncSemaphoreMetrics metrics =
                AsyncSemaphoreMetrics.create("api", AsyncSemaphore.builder(2).maxWaiters(1));
        metrics.bindTo(registry);
        AsyncSemaphore semaphore = metrics.semaphore();
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isEqualTo(2);
        assertThat(gauge(registry, AsyncSemaphoreMetrics.PERMITS)).isEqualTo(2);

        Permit both = semaphore.acquire(2).block(Duration.ofSeconds(5));
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isZero();
        assertThat(counter(registry, AsyncSemaphoreMetrics.ACQUIRED)).isEqualTo(2);

        // one waiter fits in the queue; the next one is rejected, and so is tryAcquire
        List<Permit> granted = new CopyOnWriteArrayList<>();
        Disposable waiter = semaphore.acquire().subscribe(granted::add);
        assertThat(gauge(registry, AsyncSemaphoreMetrics.WAITING)).isEqualTo(1);
        StepVerifier.create(semaphore.acquire())
                .expectError(SemaphoreFullException.class)
                .verify(Duration.ofSeconds(5));
        assertThat(semaphore.tryAcquireNow()).isEmpty();
        assertThat(counter(registry, AsyncSemaphoreMetrics.REJECTED)).isEqualTo(2);

        // a cancelled waiter leaves the gauge at once and is never counted as acquired
        waiter.dispose();
        assertThat(gauge(registry, AsyncSemaphoreMetrics.WAITING)).isZero();
        Disposable second = semaphore.acquire().subscribe(granted::add);
        both.release();
        assertThat(granted).hasSize(1);
        assertThat(counter(registry, AsyncSemaphoreMetrics.ACQUIRED)).isEqualTo(3);
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isEqualTo(1);

        Timer wait = registry.get(AsyncSemaphoreMetrics.WAIT).tag("name", "api").timer();
        assertThat(wait.count()).isEqualTo(2); // the immediate grant (0) and the waiter
        assertThat(wait.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        granted.get(0).release();
        second.dispose();
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isEqualTo(2);
    }

    @Test
    void withPermitCountsEveryTaskAndReturnsEveryPermitOnCancel() {
        AsyncSemaphoreMetrics metrics = AsyncSemaphoreMetrics.create("api", AsyncSemaphore.builder(3));
        metrics.bindTo(registry);
        AsyncSemaphore semaphore = metrics.semaphore();
        StepVerifier.create(Flux.range(0, 100)
                        .flatMap(i -> semaphore.withPermit(Mono.just(i).publishOn(Schedulers.parallel())), 20))
                .expectNextCount(100)
                .verifyComplete();
        Disposable running = semaphore.withPermit(Mono.never()).subscribe();
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isEqualTo(2);
        running.dispose(); // the cancel gives the permit back
        assertThat(counter(registry, AsyncSemaphoreMetrics.ACQUIRED)).isEqualTo(101);
        assertThat(registry.get(AsyncSemaphoreMetrics.WAIT).timer().count()).isEqualTo(101);
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isEqualTo(3);
        assertThat(gauge(registry, AsyncSemaphoreMetrics.WAITING)).isZero();
    }

    @Test
    void concurrentGrantsAndRefusalsAreAllCounted() {
        AsyncSemaphoreMetrics metrics = AsyncSemaphoreMetrics.create("api", AsyncSemaphore.builder(2));
        metrics.bindTo(registry);
        AsyncSemaphore semaphore = metrics.semaphore();
        int n = 4000;
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        StepVerifier.create(Flux.range(0, n)
                        .parallel(4)
                        .runOn(Schedulers.parallel())
                        .flatMap(i -> i % 2 == 0
                                ? semaphore.withPermit(Mono.just(i))
                                : semaphore
                                        .tryAcquire()
                                        .doOnNext(Permit::release)
                                        .map(Permit::permits)
                                        .switchIfEmpty(Mono.fromRunnable(refused::incrementAndGet)))
                        .sequential()
                        .count())
                .assertNext(count -> assertThat(count).isEqualTo(n - refused.get()))
                .verifyComplete();
        assertThat(counter(registry, AsyncSemaphoreMetrics.ACQUIRED)).isEqualTo(n - refused.get());
        assertThat(counter(registry, AsyncSemaphoreMetrics.REJECTED)).isEqualTo(refused.get());
        assertThat(registry.get(AsyncSemaphoreMetrics.WAIT).timer().count()).isEqualTo(n - refused.get());
        assertThat(gauge(registry, AsyncSemaphoreMetrics.AVAILABLE)).isEqualTo(2);
        assertThat(gauge(registry, AsyncSemaphoreMetrics.WAITING)).isZero();
    }

    @Test
    void countersCountBeforeBindingAndInEveryRegistry() {
        AsyncSemaphoreMetrics metrics =
                AsyncSemaphoreMetrics.create("api", AsyncSemaphore.builder(1), Tags.of("team", "core"));
        metrics.semaphore().tryAcquireNow().orElseThrow().release();
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        metrics.bindTo(other);
        metrics.bindTo(other); // binding twice records once
        metrics.semaphore().tryAcquireNow().orElseThrow().release();
        for (MeterRegistry r : List.of(registry, other)) {
            assertThat(r.get(AsyncSemaphoreMetrics.ACQUIRED)
                            .tags("name", "api", "team", "core")
                            .functionCounter()
                            .count())
                    .isEqualTo(2);
            assertThat(r.get(AsyncSemaphoreMetrics.WAIT).timer().count()).isEqualTo(1);
        }
    }

    @Test
    void badArguments() {
        AsyncSemaphore.Builder builder = AsyncSemaphore.builder(1);
        assertThatNullPointerException()
                .isThrownBy(() -> AsyncSemaphoreMetrics.create(null, builder))
                .withMessage("name");
        assertThatNullPointerException()
                .isThrownBy(() -> AsyncSemaphoreMetrics.create("api", null))
                .withMessage("builder");
        assertThatNullPointerException()
                .isThrownBy(() -> AsyncSemaphoreMetrics.create("api", builder, null))
                .withMessage("tags");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AsyncSemaphoreMetrics.create(" ", builder))
                .withMessage("name must not be blank");
        assertThatNullPointerException()
                .isThrownBy(() -> AsyncSemaphoreMetrics.create("api", builder).bindTo(null))
                .withMessage("registry");
    }
}
