package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;

import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;

/**
 * One subscription to {@link TokenBucket#acquire(int)}: a node in the bucket's queue. {@code WAITING} moves to
 * either {@code GRANTED} (by the drain loop, after it took the tokens) or {@code CANCELLED} (by the subscriber's
 * cancel), never both; the loser of that race undoes its side.
 */
final class BucketWaiter implements Disposable {

    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int CANCELLED = 2;

    final TokenBucket bucket;
    final int tokens;
    final MonoSink<Void> sink;

    volatile int state;
    static final AtomicIntegerFieldUpdater<BucketWaiter> STATE =
            AtomicIntegerFieldUpdater.newUpdater(BucketWaiter.class, "state");

    // Queue links, guarded by the bucket's lock.
    @Nullable BucketWaiter prev;
    @Nullable BucketWaiter next;
    boolean queued;

    BucketWaiter(TokenBucket bucket, int tokens, MonoSink<Void> sink) {
        this.bucket = bucket;
        this.tokens = tokens;
        this.sink = sink;
    }

    boolean isCancelled() {
        return state == CANCELLED;
    }

    boolean markGranted() {
        return STATE.compareAndSet(this, WAITING, GRANTED);
    }

    void grantedAtOnce() {
        if (markGranted()) {
            sink.success();
        }
    }

    void complete() {
        sink.success();
    }

    void fail(Throwable error) {
        if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
            sink.error(error);
        }
    }

    /** The subscriber cancelled: leave the queue now so the waiters behind move up. */
    @Override
    public void dispose() {
        if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
            bucket.remove(this);
        }
    }

    @Override
    public boolean isDisposed() {
        return state == CANCELLED;
    }
}
