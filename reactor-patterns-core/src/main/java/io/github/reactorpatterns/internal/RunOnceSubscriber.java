package io.github.reactorpatterns.internal;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Runs one publisher for its effect and reports its end exactly once: requests everything, hands values to
 * {@link #hookOnNext(Object)}, and calls {@link #hookOnEnd(Throwable, boolean)} for whichever of complete, error and
 * {@link #cancel() cancel} comes first. For internal use only: the subscriber behind a work queue's jobs, background
 * tasks and the members of a task scope.
 *
 * <p>Unlike {@code BaseSubscriber} it can be cancelled before it is subscribed (the end is reported at once and the
 * late subscription is cancelled), an error that the publisher signals while it is being cancelled (cleanup that
 * fails) still ends it as that error, and the end is reported from {@code onComplete}/{@code onError} themselves, not
 * from a {@code finally} hook, so a JVM-fatal error thrown by {@link #hookOnEnd(Throwable, boolean)} reaches the
 * thread that signalled (Reactor drops what a {@code doFinally} throws). Checked against the Reactive Streams TCK.
 *
 * @param <T> the type of the values
 */
public abstract class RunOnceSubscriber<T> implements CoreSubscriber<T>, Disposable {

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<RunOnceSubscriber, Subscription> SUBSCRIPTION =
            AtomicReferenceFieldUpdater.newUpdater(RunOnceSubscriber.class, Subscription.class, "subscription");

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<RunOnceSubscriber> DONE =
            AtomicIntegerFieldUpdater.newUpdater(RunOnceSubscriber.class, "done");

    private volatile @Nullable Subscription subscription;
    private volatile int done;

    /** For subclasses. */
    protected RunOnceSubscriber() {}

    /**
     * Called once per value while the run has not ended; does nothing by default (values are ignored).
     *
     * @param value the value
     */
    protected void hookOnNext(T value) {}

    /**
     * Called exactly once, when the run ended.
     *
     * @param error the error it failed with, or {@code null} when it completed
     * @param cancelled {@code true} when it ended because {@link #cancel()} came first ({@code error} is null)
     */
    protected abstract void hookOnEnd(@Nullable Throwable error, boolean cancelled);

    /**
     * The context the publisher sees; empty by default.
     *
     * @return the context
     */
    @Override
    public Context currentContext() {
        return Context.empty();
    }

    @Override
    public final void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "subscription");
        if (SUBSCRIPTION.compareAndSet(this, null, s)) {
            s.request(Long.MAX_VALUE);
        } else {
            s.cancel();
        }
    }

    @Override
    public final void onNext(T value) {
        Objects.requireNonNull(value, "value");
        if (done != 0) {
            Operators.onDiscard(value, currentContext());
            return;
        }
        hookOnNext(value);
    }

    @Override
    public final void onError(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (!DONE.compareAndSet(this, 0, 1)) {
            Operators.onErrorDropped(error, currentContext());
            return;
        }
        SUBSCRIPTION.lazySet(this, Operators.cancelledSubscription());
        hookOnEnd(error, false);
    }

    @Override
    public final void onComplete() {
        if (DONE.compareAndSet(this, 0, 1)) {
            SUBSCRIPTION.lazySet(this, Operators.cancelledSubscription());
            hookOnEnd(null, false);
        }
    }

    /**
     * Cancels the run, even before it is subscribed, and reports its end unless it had ended already. The upstream
     * is cancelled first, so an error it signals while cancelling is still the run's own end. Idempotent.
     */
    public final void cancel() {
        Subscription previous = SUBSCRIPTION.getAndSet(this, Operators.cancelledSubscription());
        if (previous == Operators.cancelledSubscription()) {
            return;
        }
        if (previous != null) {
            previous.cancel();
        }
        if (DONE.compareAndSet(this, 0, 1)) {
            hookOnEnd(null, true);
        }
    }

    /**
     * Ends the run without a publisher, for a result computed in place (a {@code Callable} source evaluated
     * without a subscription): reports {@code error} (or completion when null) unless the run had ended already; a
     * subscription that arrives later is cancelled.
     *
     * @param error the error, or {@code null} for completion
     */
    public final void end(@Nullable Throwable error) {
        if (DONE.compareAndSet(this, 0, 1)) {
            Subscription previous = SUBSCRIPTION.getAndSet(this, Operators.cancelledSubscription());
            if (previous != null && previous != Operators.cancelledSubscription()) {
                previous.cancel();
            }
            hookOnEnd(error, false);
        }
    }

    /**
     * Ends a run that is never subscribed to any publisher, for a result computed in place: the same as
     * {@link #end(Throwable)} without swapping the subscription (there is none to cancel, and none may arrive),
     * which saves one atomic step per run. Calling it on a run that was or will be subscribed is a bug: a late
     * subscription would not be cancelled.
     *
     * @param error the error, or {@code null} for completion
     */
    public final void endInPlace(@Nullable Throwable error) {
        if (DONE.compareAndSet(this, 0, 1)) {
            // plain release store: a cancel() racing with this sees done == 1 and reports nothing
            SUBSCRIPTION.lazySet(this, Operators.cancelledSubscription());
            hookOnEnd(error, false);
        }
    }

    /** Same as {@link #cancel()}. */
    @Override
    public final void dispose() {
        cancel();
    }

    /**
     * Whether the run has ended or was cancelled.
     *
     * @return {@code true} once it ended
     */
    @Override
    public final boolean isDisposed() {
        return done != 0 || subscription == Operators.cancelledSubscription();
    }
}
