package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;

/**
 * One subscription to {@link TokenBucket#acquire(int)}: the subscription handed to the subscriber and a node in the
 * bucket's queue. {@code WAITING} moves to either {@code GRANTED} (by the bucket, right after it took the tokens)
 * or {@code CANCELLED} (by {@link #cancel()}, a bad request or a failure), never both: the grant that loses the race
 * undoes its tokens, the cancel that loses it arrives after {@code onComplete} was decided.
 */
final class BucketWaiter implements Subscription {

    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int CANCELLED = 2;

    final TokenBucket bucket;
    final int tokens;
    final CoreSubscriber<? super Void> actual;

    volatile int state;
    static final AtomicIntegerFieldUpdater<BucketWaiter> STATE =
            AtomicIntegerFieldUpdater.newUpdater(BucketWaiter.class, "state");

    // Queue links, guarded by the bucket's lock.
    @Nullable BucketWaiter prev;
    @Nullable BucketWaiter next;
    boolean queued;
    /** The bucket's clock (ns) when queued; set only if the bucket has a listener. */
    long queuedAt;

    BucketWaiter(TokenBucket bucket, int tokens, CoreSubscriber<? super Void> actual) {
        this.bucket = bucket;
        this.tokens = tokens;
        this.actual = actual;
    }

    boolean isCancelled() {
        return state == CANCELLED;
    }

    boolean markGranted() {
        return STATE.compareAndSet(this, WAITING, GRANTED);
    }

    /** Signals the grant; only after {@link #markGranted()} succeeded. */
    void complete() {
        actual.onComplete();
    }

    void fail(Throwable error) {
        if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
            actual.onError(error);
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0 && STATE.compareAndSet(this, WAITING, CANCELLED)) {
            bucket.remove(this);
            actual.onError(new IllegalArgumentException(
                    "§3.9 violated: positive request amount required but it was " + n));
        }
        // No value is ever emitted: demand does not matter.
    }

    /** Leave the queue now, so the waiters behind move up. */
    @Override
    public void cancel() {
        if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
            bucket.remove(this);
        }
    }

    @Override
    public String toString() {
        return "BucketWaiter[tokens=" + tokens + ", state=" + state + "]";
    }
}
