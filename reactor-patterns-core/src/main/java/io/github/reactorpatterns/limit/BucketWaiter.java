package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;

/**
 * One subscription to {@link TokenBucket#acquire(int)}: the subscription handed to the subscriber and a node in the
 * bucket's queue (its weight is the number of tokens). {@code WAITING} moves to either {@code GRANTED} (by the
 * bucket, right after it took the tokens) or {@code CANCELLED} (by {@link #cancel()}, a bad request or a failure),
 * never both: the grant that loses the race undoes its tokens, the cancel that loses it arrives after
 * {@code onComplete} was decided.
 */
final class BucketWaiter extends WaiterNode implements Subscription, Scannable {

    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int CANCELLED = 2;

    final TokenBucket bucket;
    final CoreSubscriber<? super Void> actual;
    /** The bucket's clock (ns) when queued; set only if the bucket has a listener. */
    long queuedAt;

    volatile int state;
    static final AtomicIntegerFieldUpdater<BucketWaiter> STATE =
            AtomicIntegerFieldUpdater.newUpdater(BucketWaiter.class, "state");

    BucketWaiter(TokenBucket bucket, int tokens, CoreSubscriber<? super Void> actual) {
        super(tokens);
        this.bucket = bucket;
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
            actual.onError(Exceptions.nullOrNegativeRequestException(n));
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
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.ACTUAL) {
            return actual;
        }
        if (key == Attr.CANCELLED) {
            return state == CANCELLED;
        }
        if (key == Attr.TERMINATED) {
            return state == GRANTED;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC;
        }
        return null;
    }

    @Override
    public String stepName() {
        return "acquire";
    }

    @Override
    public String toString() {
        return "BucketWaiter[tokens=" + weight + ", state=" + state + "]";
    }
}
