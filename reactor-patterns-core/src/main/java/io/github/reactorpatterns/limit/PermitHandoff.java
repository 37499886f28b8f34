package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * {@link PermitSource#acquire(Consumer, Consumer)}: hands a permit to a callback without the permit ever travelling
 * as an {@code onNext} value. A value racing a cancel can be dropped by the subscriber that receives it (a lambda
 * subscriber disposed at that instant hands it to {@code onNextDropped}), and no publisher can tell a dropped value
 * from a consumed one. Here the permit is held by {@link PermitSource#withPermit(Mono)} around a task that emits
 * nothing: the task hands a {@link Handed} permit to the callback and completes when that permit is released.
 *
 * <p>Who gets the permit is decided by one CAS on {@link #state}: {@code WAITING -> GRANTED} (the task started: the
 * callback owns the permit) or {@code WAITING -> DISPOSED} (the caller gave up: the {@code withPermit} subscription
 * is cancelled, which leaves the queue or gives back a permit granted at that instant, and a task that starts anyway
 * completes at once). Either way the permit ends in the callback's hands or back in its source, exactly once.
 */
final class PermitHandoff implements Disposable {

    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int DISPOSED = 2;

    final Consumer<? super Permit> onGranted;

    volatile int state;
    static final AtomicIntegerFieldUpdater<PermitHandoff> STATE =
            AtomicIntegerFieldUpdater.newUpdater(PermitHandoff.class, "state");

    /** The {@code withPermit} subscription; set once {@code subscribe} returns. */
    volatile @Nullable Disposable subscription;

    private PermitHandoff(Consumer<? super Permit> onGranted) {
        this.onGranted = onGranted;
    }

    static Disposable start(
            PermitSource source, Consumer<? super Permit> onGranted, Consumer<? super Throwable> onError) {
        PermitHandoff handoff = new PermitHandoff(onGranted);
        Disposable d = source.withPermit(Mono.<Void>create(handoff::run)).subscribe(null, onError::accept);
        handoff.subscription = d;
        if (handoff.state == DISPOSED) {
            d.dispose(); // disposed while subscribe was still running
        }
        return handoff;
    }

    /** The task under the permit: runs once the source granted it. */
    private void run(MonoSink<Void> sink) {
        if (STATE.compareAndSet(this, WAITING, GRANTED)) {
            // An exception from the callback fails the task: withPermit releases and onError gets it.
            onGranted.accept(new Handed(sink));
        } else {
            sink.success(); // disposed at the instant of the grant: give the permit back
        }
    }

    /** Stops waiting; does nothing once the permit was handed to the callback, which then owns it. */
    @Override
    public void dispose() {
        if (STATE.compareAndSet(this, WAITING, DISPOSED)) {
            Disposable d = subscription;
            if (d != null) {
                d.dispose();
            }
        }
    }

    /** Whether there is nothing left to dispose: disposed, or the permit was handed over. */
    @Override
    public boolean isDisposed() {
        return state != WAITING;
    }

    @Override
    public String toString() {
        return "PermitHandoff[state=" + state + "]";
    }

    /** The permit handed to the callback: releasing it completes the task, and {@code withPermit} releases. */
    static final class Handed implements Permit {

        final MonoSink<Void> sink;

        volatile int released;
        static final AtomicIntegerFieldUpdater<Handed> RELEASED =
                AtomicIntegerFieldUpdater.newUpdater(Handed.class, "released");

        Handed(MonoSink<Void> sink) {
            this.sink = sink;
        }

        @Override
        public void release() {
            if (released == 0 && RELEASED.compareAndSet(this, 0, 1)) {
                sink.success();
            }
        }

        @Override
        public int permits() {
            return 1;
        }

        @Override
        public boolean isReleased() {
            return released != 0;
        }

        @Override
        public String toString() {
            return "Permit[permits=1" + (released != 0 ? ", released]" : "]");
        }
    }
}
