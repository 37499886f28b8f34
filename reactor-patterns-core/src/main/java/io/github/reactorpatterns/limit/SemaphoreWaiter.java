package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;

/**
 * One subscription to {@link AsyncSemaphore#acquire(int)}: the subscription handed to the subscriber, the node in
 * the semaphore's queue, and (once granted) the permit itself.
 *
 * <p>State is a bit set changed only by CAS: {@code REQUESTED} (the subscriber asked for the value),
 * {@code GRANTED} (the semaphore gave this waiter its permits), {@code CANCELLED} (cancelled or terminated with an
 * error). The value is delivered by whichever of {@link #request} and {@link #grant} completes the pair
 * {@code REQUESTED|GRANTED} first, and only if {@code CANCELLED} is not set; a cancel that finds {@code GRANTED}
 * without {@code REQUESTED} (granted, not delivered) releases the permits, and a grant that finds {@code CANCELLED}
 * releases them too. So every grant ends either in the subscriber's hands or back in the semaphore, exactly once.
 */
final class SemaphoreWaiter extends SemaphoreNode implements Subscription, Scannable {

    static final int REQUESTED = 1;
    static final int GRANTED = 2;
    static final int CANCELLED = 4;

    final CoreSubscriber<? super Permit> actual;

    volatile int state;
    static final AtomicIntegerFieldUpdater<SemaphoreWaiter> STATE =
            AtomicIntegerFieldUpdater.newUpdater(SemaphoreWaiter.class, "state");

    SemaphoreWaiter(AsyncSemaphore semaphore, int weight, CoreSubscriber<? super Permit> actual) {
        super(semaphore, weight);
        this.actual = actual;
    }

    @Override
    boolean isCancelled() {
        return (state & CANCELLED) != 0;
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            if (markCancelled() && !delivered(state)) {
                actual.onError(Exceptions.nullOrNegativeRequestException(n));
            }
            return;
        }
        for (; ; ) {
            int s = state;
            if ((s & (REQUESTED | CANCELLED)) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | REQUESTED)) {
                if ((s & GRANTED) != 0) {
                    deliver();
                }
                return;
            }
        }
    }

    /** The semaphore took this waiter's permits for it (and unlinked it, if it was queued). */
    @Override
    void grant() {
        for (; ; ) {
            int s = state;
            if ((s & CANCELLED) != 0) {
                // Granted in a race with the cancel: give the permits back.
                release();
                return;
            }
            if (STATE.compareAndSet(this, s, s | GRANTED)) {
                if ((s & REQUESTED) != 0) {
                    deliver();
                }
                return;
            }
        }
    }

    /** The semaphore refused to queue this waiter. */
    @Override
    void reject(Throwable error) {
        if (markCancelled()) {
            actual.onError(error);
        }
    }

    @Override
    public void cancel() {
        markCancelled();
    }

    /**
     * Sets {@code CANCELLED} and gives back whatever this waiter holds that the subscriber never got.
     *
     * @return {@code true} if this call set the flag
     */
    private boolean markCancelled() {
        int prevState;
        for (; ; ) {
            prevState = state;
            if ((prevState & CANCELLED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, prevState, prevState | CANCELLED)) {
                break;
            }
        }
        if ((prevState & GRANTED) != 0) {
            if ((prevState & REQUESTED) == 0) {
                release(); // granted but never delivered
            }
        } else {
            // Leave the queue now. If the drain loop has just unlinked this waiter, its grant() sees CANCELLED.
            semaphore.remove(this);
        }
        return true;
    }

    private static boolean delivered(int s) {
        return (s & (REQUESTED | GRANTED)) == (REQUESTED | GRANTED);
    }

    private void deliver() {
        actual.onNext(this);
        actual.onComplete();
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.ACTUAL) {
            return actual;
        }
        int s = state;
        if (key == Attr.CANCELLED) {
            return (s & CANCELLED) != 0 && !delivered(s);
        }
        if (key == Attr.TERMINATED) {
            return delivered(s);
        }
        if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
            return (s & REQUESTED) != 0 ? 1L : 0L;
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
        return "SemaphoreWaiter[permits=" + weight + ", state=" + state + "]";
    }
}
