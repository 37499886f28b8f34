package io.github.reactorpatterns.limit;

import java.time.Duration;

import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Flux;

/** Reactive Streams TCK for the operator behind {@link TokenBucket#throttle()}. */
public class TokenBucketThrottleTckTest extends PublisherVerification<Long> {

    public TokenBucketThrottleTckTest() {
        super(new TestEnvironment(1000, 100));
    }

    @Override
    public Publisher<Long> createPublisher(long elements) {
        // Half the elements come from the burst, the rest from timers: both paths are exercised.
        TokenBucket bucket = TokenBucket.builder()
                .rate(100_000, Duration.ofSeconds(1))
                .burst((int) Math.max(1, elements / 2))
                .build();
        return Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
                    if (i < elements) {
                        sink.next(i);
                    } else {
                        sink.complete();
                    }
                    return i + 1;
                })
                .transform(bucket.throttle());
    }

    @Override
    public Publisher<Long> createFailedPublisher() {
        return Flux.<Long>error(new IllegalStateException("failed"))
                .transform(TokenBucket.builder()
                        .rate(1, Duration.ofSeconds(1))
                        .build()
                        .throttle());
    }

    @Override
    public long maxElementsFromPublisher() {
        return 1024;
    }
}
