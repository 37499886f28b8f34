package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * {@link AsyncSemaphore#withPermit(Mono)}: one object per subscription is at once the subscription handed
 * downstream, the node waiting in the semaphore's queue, the permit, and the subscriber of the task. That makes the
 * per-task cost a single allocation and a few CAS, where {@code acquire().flatMap(p -> task.doFinally(...))} takes
 * eight objects. Verified by the Reactive Streams TCK.
 *
 * <p>State: {@code WAITING -> RUNNING} (granted; the task is subscribed) or {@code WAITING -> CANCELLED}, decided
 * by one CAS, so a grant that loses the race with a cancel gives the permit back. The permit is released (once,
 * guarded by {@link SemaphorePermit#release()}) when the task terminates — before the terminal signal goes
 * downstream, so the next waiter can start while downstream reacts — or when a running task is cancelled.
 * Demand from downstream is held until the task's subscription arrives, as {@code Operators.DeferredSubscription}
 * does.
 */
final class MonoWithPermit<T> extends Mono<T> {

    private final AsyncSemaphore semaphore;
    private final Mono<? extends T> task;

    MonoWithPermit(AsyncSemaphore semaphore, Mono<? extends T> task) {
        this.semaphore = semaphore;
        this.task = task;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        WithPermitSubscriber<T> node = new WithPermitSubscriber<>(semaphore, actual, task);
        actual.onSubscribe(node);
        if (!node.isCancelled()) {
            semaphore.acquire(node);
        }
    }

    static final class WithPermitSubscriber<T> extends SemaphoreNode implements CoreSubscriber<T>, Subscription {

        static final int WAITING = 0;
        static final int RUNNING = 1;
        static final int CANCELLED = 2;

        final CoreSubscriber<? super T> actual;
        final Mono<? extends T> task;

        volatile int state;
        static final AtomicIntegerFieldUpdater<WithPermitSubscriber> STATE =
                AtomicIntegerFieldUpdater.newUpdater(WithPermitSubscriber.class, "state");

        volatile @Nullable Subscription upstream;
        static final AtomicReferenceFieldUpdater<WithPermitSubscriber, Subscription>
                UPSTREAM = AtomicReferenceFieldUpdater.newUpdater(
                        WithPermitSubscriber.class, Subscription.class, "upstream");

        volatile long requested;
        static final AtomicLongFieldUpdater<WithPermitSubscriber> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(WithPermitSubscriber.class, "requested");

        WithPermitSubscriber(AsyncSemaphore semaphore, CoreSubscriber<? super T> actual, Mono<? extends T> task) {
            super(semaphore, 1);
            this.actual = actual;
            this.task = task;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        boolean isCancelled() {
            return state == CANCELLED;
        }

        @Override
        void grant() {
            if (STATE.compareAndSet(this, WAITING, RUNNING)) {
                task.subscribe(this);
            } else {
                release();   // cancelled at the instant of the grant
            }
        }

        @Override
        void reject(Throwable error) {
            if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
                actual.onError(error);
            }
        }

        // ---- the task's signals ----

        @Override
        public void onSubscribe(Subscription s) {
            if (UPSTREAM.compareAndSet(this, null, s)) {
                long r = REQUESTED.getAndSet(this, 0L);
                if (r > 0) {
                    s.request(r);
                }
            } else {
                s.cancel();   // cancelled before the task subscribed, or a second onSubscribe
            }
        }

        @Override
        public void onNext(T t) {
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable t) {
            release();
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            release();
            actual.onComplete();
        }

        // ---- downstream's subscription ----

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                actual.onError(new IllegalArgumentException(
                        "§3.9 violated: positive request amount required but it was " + n));
                return;
            }
            Subscription s = upstream;
            if (s != null) {
                if (s != Operators.cancelledSubscription()) {
                    s.request(n);
                }
                return;
            }
            Operators.addCap(REQUESTED, this, n);
            s = upstream;
            if (s != null && s != Operators.cancelledSubscription()) {
                long r = REQUESTED.getAndSet(this, 0L);
                if (r > 0) {
                    s.request(r);
                }
            }
        }

        @Override
        public void cancel() {
            if (STATE.compareAndSet(this, WAITING, CANCELLED)) {
                // Leave the queue now; if the drain loop just unlinked this node, grant() gives the permit back.
                semaphore.remove(this);
                return;
            }
            if (state == RUNNING) {
                Subscription s = UPSTREAM.getAndSet(this, Operators.cancelledSubscription());
                if (s != Operators.cancelledSubscription()) {
                    if (s != null) {
                        s.cancel();
                    }
                    release();
                }
            }
        }

        @Override
        public String toString() {
            return "WithPermitSubscriber[state=" + state + "]";
        }
    }
}
