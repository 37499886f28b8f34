package io.github.reactorpatterns.limit;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

/** Reactive Streams TCK for the custom {@code Mono} behind {@link AsyncSemaphore#acquire(int)}. */
public class AsyncSemaphoreAcquireTckTest extends PublisherVerification<Permit> {

    public AsyncSemaphoreAcquireTckTest() {
        super(new TestEnvironment(1000, 100));
    }

    @Override
    public Publisher<Permit> createPublisher(long elements) {
        // A Mono emits its one permit; the TCK asks for 0 elements only to test onSubscribe and null checks.
        return AsyncSemaphore.of(1).acquire();
    }

    @Override
    public Publisher<Permit> createFailedPublisher() {
        AsyncSemaphore full = AsyncSemaphore.builder(1).maxWaiters(0).build();
        full.tryAcquireNow();
        return full.acquire();
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1;
    }
}
