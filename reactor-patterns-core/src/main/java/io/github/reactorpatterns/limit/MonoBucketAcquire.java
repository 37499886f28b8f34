package io.github.reactorpatterns.limit;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The {@code Mono} behind {@link TokenBucket#acquire(int)}. A custom publisher so that the grant and the cancel are
 * decided by one CAS on the waiter: with {@code Mono.create} the sink can be cancelled a moment before our cancel
 * callback runs, and a grant in that moment would spend the tokens without anyone seeing them. Verified by the
 * Reactive Streams TCK.
 */
final class MonoBucketAcquire extends Mono<Void> {

    private final TokenBucket bucket;
    private final int tokens;

    MonoBucketAcquire(TokenBucket bucket, int tokens) {
        this.bucket = bucket;
        this.tokens = tokens;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        BucketWaiter waiter = new BucketWaiter(bucket, tokens, actual);
        actual.onSubscribe(waiter);
        if (!waiter.isCancelled()) {
            bucket.acquire(waiter);
        }
    }
}
