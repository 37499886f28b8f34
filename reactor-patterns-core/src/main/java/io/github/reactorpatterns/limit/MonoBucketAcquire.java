package io.github.reactorpatterns.limit;

import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;

/**
 * The {@code Mono} behind {@link TokenBucket#acquire(int)}. A custom publisher so that the grant and the cancel are
 * decided by one CAS on the waiter: with {@code Mono.create} the sink can be cancelled a moment before our cancel
 * callback runs, and a grant in that moment would spend the tokens without anyone seeing them. Verified by the
 * Reactive Streams TCK.
 */
final class MonoBucketAcquire extends Mono<Void> implements Scannable {

    private final TokenBucket bucket;
    private final int tokens;

    private MonoBucketAcquire(TokenBucket bucket, int tokens) {
        this.bucket = bucket;
        this.tokens = tokens;
    }

    /** A new acquire, passed through {@code Mono.onAssembly} so assembly hooks and {@code checkpoint()} see it. */
    static Mono<Void> create(TokenBucket bucket, int tokens) {
        return onAssembly(new MonoBucketAcquire(bucket, tokens));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        BucketWaiter waiter = new BucketWaiter(bucket, tokens, actual);
        actual.onSubscribe(waiter);
        if (!waiter.isCancelled()) {
            bucket.acquire(waiter);
        }
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return null;
    }

    @Override
    public String stepName() {
        return "source(TokenBucket.acquire)";
    }
}
