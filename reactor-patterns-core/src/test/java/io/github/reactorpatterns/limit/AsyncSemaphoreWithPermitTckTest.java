package io.github.reactorpatterns.limit;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Reactive Streams TCK for the custom {@code Mono} behind {@link AsyncSemaphore#withPermit(Mono)}. */
public class AsyncSemaphoreWithPermitTckTest extends PublisherVerification<Long> {

    public AsyncSemaphoreWithPermitTckTest() {
        super(new TestEnvironment(1000, 100));
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        Mono<Long> task =
                elements == 0 ? Mono.empty() : Mono.fromCallable(() -> 1L).subscribeOn(Schedulers.parallel());
        return AsyncSemaphore.of(1).withPermit(task);
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        AsyncSemaphore full = AsyncSemaphore.builder(1).maxWaiters(0).build();
        full.tryAcquireNow();
        return full.withPermit(Mono.just(1L));
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }
}
