package io.github.reactorpatterns.concurrent;

import java.util.concurrent.CancellationException;

import io.github.reactorpatterns.internal.RunOnceSubscriber;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * The subscriber of a {@link TaskScope}'s body or of one fork: requests everything, passes a fork's result to its
 * handle, and tells the owner exactly once that it ended, whichever of complete, error and cancel comes first.
 *
 * <p>As every {@link RunOnceSubscriber}, it can be cancelled before it is subscribed (the owner is told at once, and
 * the late subscription is cancelled), and an error that the task signals while it is being cancelled (cleanup that
 * fails) still counts as the task's failure, as in {@code asyncio.TaskGroup}. Checked against the Reactive Streams
 * TCK in {@code ScopeMemberTckTest}.
 */
final class ScopeMember<T> extends RunOnceSubscriber<T> {

    /** What the scope does with the signals of its members. */
    interface Owner {

        /** Records a failure; false if the scope no longer takes failures (the caller then drops it). */
        boolean failed(Throwable error);

        /** Called exactly once per member, when it completed, failed or was cancelled. */
        void ended(ScopeMember<?> member);

        /** The context the members see. */
        Context context();
    }

    private final Owner owner;
    private final Sinks.@Nullable One<T> result;
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
    protected void hookOnNext(T value) {
        if (result != null && !hasValue) {
            hasValue = true;
            result.tryEmitValue(value);
        }
    }

    @Override
    protected void hookOnEnd(@Nullable Throwable error, boolean cancelled) {
        if (error != null) {
            if (!owner.failed(error)) {
                Operators.onErrorDropped(error, currentContext());
            }
            if (result != null) {
                result.tryEmitError(error);
            }
        } else if (result != null) {
            if (cancelled) {
                result.tryEmitError(new ForkCancelledException());
            } else if (!hasValue) {
                result.tryEmitEmpty();
            }
        }
        owner.ended(this);
    }

    /** The error of the handle of a fork that its scope cancelled. */
    static final class ForkCancelledException extends CancellationException {

        private static final long serialVersionUID = 1L;

        ForkCancelledException() {
            super("task cancelled: its scope failed or was cancelled");
        }
    }
}
