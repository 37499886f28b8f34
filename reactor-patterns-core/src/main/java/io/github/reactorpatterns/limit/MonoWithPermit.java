package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
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
 * guarded by {@link SemaphoreNode#release()}) when the task terminates — before the terminal signal goes
 * downstream, so the next waiter can start while downstream reacts — or when a running task is cancelled, after
 * the task's subscription has been cancelled: a cancel that arrives while the task is still being subscribed (no
 * subscription yet) leaves the release to {@link WithPermitSubscriber#onSubscribe}, so a task is never subscribed
 * once its permit is back in the semaphore. Demand from downstream is held until the task's subscription arrives, as
 * {@code Operators.DeferredSubscription} does.
 *
 * <p>Signals downstream: {@code done} moves once from {@code OPEN} to {@code SIGNALLED} (the task's first signal
 * goes downstream) or to {@code FAILED} (a non-positive request, or a full queue, is reported with {@code onError}),
 * so a bad request never signals after the task's value or completion, nor concurrently with it.
 */
final class MonoWithPermit<T> extends Mono<T> implements Scannable {

    private final AsyncSemaphore semaphore;
    private final Mono<? extends T> task;

    private MonoWithPermit(AsyncSemaphore semaphore, Mono<? extends T> task) {
        this.semaphore = semaphore;
        this.task = task;
    }

    /** A new operator, passed through {@code Mono.onAssembly} so assembly hooks and {@code checkpoint()} see it. */
    static <T> Mono<T> create(AsyncSemaphore semaphore, Mono<? extends T> task) {
        return onAssembly(new MonoWithPermit<T>(semaphore, task));
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        WithPermitSubscriber<T> node = new WithPermitSubscriber<>(semaphore, actual, task);
        actual.onSubscribe(node);
        if (!node.isCancelled()) {
            semaphore.acquire(node);
        }
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return task;
        }
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC; // the task may be subscribed on the thread that releases a permit
        }
        return null;
    }

    @Override
    public String stepName() {
        return "withPermit";
    }

    static final class WithPermitSubscriber<T> extends SemaphoreNode
            implements CoreSubscriber<T>, Subscription, Scannable {

        static final int WAITING = 0;
        static final int RUNNING = 1;
        static final int CANCELLED = 2;

        static final int OPEN = 0;
        static final int SIGNALLED = 1;
        static final int FAILED = 2;

        final CoreSubscriber<? super T> actual;
        final Mono<? extends T> task;

        volatile int state;
        static final AtomicIntegerFieldUpdater<WithPermitSubscriber> STATE =
                AtomicIntegerFieldUpdater.newUpdater(WithPermitSubscriber.class, "state");

        volatile int done;
        static final AtomicIntegerFieldUpdater<WithPermitSubscriber> DONE =
                AtomicIntegerFieldUpdater.newUpdater(WithPermitSubscriber.class, "done");

        /** Set once a terminal signal went downstream; only read by {@link #scanUnsafe}. */
        volatile boolean terminated;

        volatile @Nullable Subscription upstream;
        static final AtomicReferenceFieldUpdater<WithPermitSubscriber, Subscription> UPSTREAM =
                AtomicReferenceFieldUpdater.newUpdater(WithPermitSubscriber.class, Subscription.class, "upstream");

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
                release(); // cancelled at the instant of the grant
            }
        }

        @Override
        void reject(Throwable error) {
            if (STATE.compareAndSet(this, WAITING, CANCELLED) && DONE.compareAndSet(this, OPEN, FAILED)) {
                terminated = true;
                actual.onError(error);
            }
        }

        /** Whether the task's signal may go downstream (nothing was reported in its place). */
        private boolean mayPass() {
            return done == SIGNALLED || DONE.compareAndSet(this, OPEN, SIGNALLED);
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
                s.cancel(); // cancelled before the task subscribed, or a second onSubscribe
                if (upstream == Operators.cancelledSubscription()) {
                    release(); // the cancel left the release to us, once the task can no longer run
                }
            }
        }

        @Override
        public void onNext(T t) {
            if (mayPass()) {
                actual.onNext(t);
            } else {
                Operators.onDiscard(t, actual.currentContext());
            }
        }

        @Override
        public void onError(Throwable t) {
            release();
            if (mayPass()) {
                terminated = true;
                actual.onError(t);
            } else {
                Operators.onErrorDropped(t, actual.currentContext());
            }
        }

        @Override
        public void onComplete() {
            release();
            if (mayPass()) {
                terminated = true;
                actual.onComplete();
            }
        }

        // ---- downstream's subscription ----

        @Override
        public void request(long n) {
            if (n <= 0) {
                // Only if nothing went downstream yet: never after the task's value or completion, nor with them.
                if (DONE.compareAndSet(this, OPEN, FAILED)) {
                    cancel();
                    terminated = true;
                    actual.onError(Exceptions.nullOrNegativeRequestException(n));
                }
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
                if (s != null && s != Operators.cancelledSubscription()) {
                    s.cancel();
                    release();
                }
                // s == null: the granting thread is inside task.subscribe(this); onSubscribe cancels the task and
                // releases then, so the permit is not free while the task can still start.
            }
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                Subscription s = upstream;
                return s == Operators.cancelledSubscription() ? null : s;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.CANCELLED) {
                return !terminated && (state == CANCELLED || upstream == Operators.cancelledSubscription());
            }
            if (key == Attr.TERMINATED) {
                return terminated;
            }
            if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
                return requested;
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            return null;
        }

        @Override
        public String stepName() {
            return "withPermit";
        }

        @Override
        public String toString() {
            return "WithPermitSubscriber[state=" + state + "]";
        }
    }
}
