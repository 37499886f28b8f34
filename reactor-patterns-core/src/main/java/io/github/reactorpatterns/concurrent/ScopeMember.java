package io.github.reactorpatterns.concurrent;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * The subscriber of a {@link TaskScope}'s body or of one fork: requests everything, passes a fork's result to its
 * handle, and tells the owner exactly once that it ended, whichever of complete, error and cancel comes first.
 *
 * <p>Unlike {@code BaseSubscriber} it can be cancelled before it is subscribed (the owner is told at once, and the
 * late subscription is cancelled), and an error that the task signals while it is being cancelled (cleanup that
 * fails) still counts as the task's failure, as in {@code asyncio.TaskGroup}. Checked against the Reactive Streams
 * TCK in {@code ScopeMemberTckTest}.
 */
final class ScopeMember<T> implements CoreSubscriber<T> {

    /** What the scope does with the signals of its members. */
    interface Owner {

        /** Records a failure; false if the scope no longer takes failures (the caller then drops it). */
        boolean failed(Throwable error);

        /** Called exactly once per member, when it completed, failed or was cancelled. */
        void ended(ScopeMember<?> member);

        /** The context the members see. */
        Context context();
    }

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ScopeMember, Subscription> SUBSCRIPTION =
            AtomicReferenceFieldUpdater.newUpdater(ScopeMember.class, Subscription.class, "subscription");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<ScopeMember> DONE =
            AtomicIntegerFieldUpdater.newUpdater(ScopeMember.class, "done");

    private final Owner owner;
    private final Sinks.@Nullable One<T> result;
    private volatile @Nullable Subscription subscription;
    private volatile int done;
    /** Only touched by the signals, which the Reactive Streams rules serialise. */
    private boolean hasValue;

    ScopeMember(Owner owner, Sinks.@Nullable One<T> result) {
        this.owner = owner;
        this.result = result;
    }

    @Override
    public Context currentContext() {
        return owner.context();
    }

    @Override
    public void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "subscription");
        if (SUBSCRIPTION.compareAndSet(this, null, s)) {
            s.request(Long.MAX_VALUE);
        }
        else {
            s.cancel();
        }
    }

    @Override
    public void onNext(T value) {
        Objects.requireNonNull(value, "value");
        if (done != 0) {
            Operators.onDiscard(value, currentContext());
            return;
        }
        if (result != null && !hasValue) {
            hasValue = true;
            result.tryEmitValue(value);
        }
    }

    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "error");
        if (!DONE.compareAndSet(this, 0, 1)) {
            Operators.onErrorDropped(error, currentContext());
            return;
        }
        SUBSCRIPTION.lazySet(this, Operators.cancelledSubscription());
        if (!owner.failed(error)) {
            Operators.onErrorDropped(error, currentContext());
        }
        if (result != null) {
            result.tryEmitError(error);
        }
        owner.ended(this);
    }

    @Override
    public void onComplete() {
        if (DONE.compareAndSet(this, 0, 1)) {
            SUBSCRIPTION.lazySet(this, Operators.cancelledSubscription());
            if (result != null && !hasValue) {
                result.tryEmitEmpty();
            }
            owner.ended(this);
        }
    }

    /**
     * Cancels the task, even before it is subscribed. The upstream is cancelled first, so an error it signals while
     * cancelling is still the member's own failure.
     */
    void cancel() {
        Subscription previous = SUBSCRIPTION.getAndSet(this, Operators.cancelledSubscription());
        if (previous == Operators.cancelledSubscription()) {
            return;
        }
        if (previous != null) {
            previous.cancel();
        }
        if (DONE.compareAndSet(this, 0, 1)) {
            if (result != null) {
                result.tryEmitError(new ForkCancelledException());
            }
            owner.ended(this);
        }
    }

    /** The error of the handle of a fork that its scope cancelled. */
    static final class ForkCancelledException extends CancellationException {

        private static final long serialVersionUID = 1L;

        ForkCancelledException() {
            super("task cancelled: its scope failed or was cancelled");
        }
    }
}
