package io.github.reactorpatterns.limit;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

/** Reactive Streams TCK for the custom {@code Mono<Void>} behind {@link TokenBucket#acquire(int)}. */
public class TokenBucketAcquireTckTest extends PublisherVerification<Void> {

    public TokenBucketAcquireTckTest() {
        super(new TestEnvironment(1000, 100));
    }

    @Override
    public Publisher<Void> createPublisher(long elements) {
        // Starts empty, so the grant comes from the timer on Schedulers.parallel() after 1 ms.
        return TokenBucket.builder()
                .rate(1000, Duration.ofSeconds(1))
                .initiallyFull(false)
                .build()
                .acquire();
    }

    @Override
    public @Nullable Publisher<Void> createFailedPublisher() {
        return null;
    }

    @Override
    public long maxElementsFromPublisher() {
        return 0;
    }
}
