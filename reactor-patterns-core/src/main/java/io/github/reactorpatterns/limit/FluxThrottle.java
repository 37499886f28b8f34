package io.github.reactorpatterns.limit;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * {@link TokenBucket#throttle()}: for every element, first a token, then {@code request(1)} upstream, then the
 * element downstream. A custom operator because no composition of Reactor operators takes the token before
 * requesting (a {@code concatMap} requests first and waits holding the element). Verified by the Reactive Streams
 * TCK.
 *
 * <p>One element at a time moves through the phases {@code IDLE -> ACQUIRING -> READY -> AWAITING -> HAS_VALUE ->
 * IDLE}; each transition has a single owner (drain loop, token callback, or upstream {@code onNext}), and every
 * signal to downstream is emitted from the drain loop, so signals are serialized.
 */
final class FluxThrottle<T> extends FluxOperator<T, T> {

    private final TokenBucket bucket;

    private FluxThrottle(Flux<? extends T> source, TokenBucket bucket) {
        super(source);
        this.bucket = bucket;
    }

    /** A new throttle, passed through {@code Flux.onAssembly} so assembly hooks and {@code checkpoint()} see it. */
    static <T> Flux<T> create(Flux<? extends T> source, TokenBucket bucket) {
        return onAssembly(new FluxThrottle<>(source, bucket));
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new ThrottleSubscriber<T>(actual, bucket));
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.RUN_STYLE) {
            return Attr.RunStyle.ASYNC; // elements may be emitted on the bucket's timer thread
        }
        return super.scanUnsafe(key);
    }

    @Override
    public String stepName() {
        return "throttle";
    }

    static final class ThrottleSubscriber<T> implements CoreSubscriber<T>, Subscription, Scannable {

        static final int IDLE = 0;
        static final int ACQUIRING = 1;
        static final int READY = 2;
        static final int AWAITING = 3;
        static final int HAS_VALUE = 4;

        final CoreSubscriber<? super T> actual;
        final TokenBucket bucket;

        @Nullable
        Subscription upstream;

        @Nullable
        T value;

        volatile int phase;

        volatile long requested;
        static final AtomicLongFieldUpdater<ThrottleSubscriber> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(ThrottleSubscriber.class, "requested");

        volatile int wip;
        static final AtomicIntegerFieldUpdater<ThrottleSubscriber> WIP =
                AtomicIntegerFieldUpdater.newUpdater(ThrottleSubscriber.class, "wip");

        /** The terminal signal to emit: {@link #COMPLETE} or an error; set once. */
        volatile @Nullable Throwable terminal;

        static final AtomicReferenceFieldUpdater<ThrottleSubscriber, Throwable> TERMINAL =
                AtomicReferenceFieldUpdater.newUpdater(ThrottleSubscriber.class, Throwable.class, "terminal");
        static final Throwable COMPLETE = new Throwable("complete", null, false, false) {};

        volatile boolean cancelled;
        volatile @Nullable TokenSubscriber token;

        ThrottleSubscriber(CoreSubscriber<? super T> actual, TokenBucket bucket) {
            this.actual = actual;
            this.bucket = bucket;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(T t) {
            if (phase != AWAITING) {
                // Upstream sent more than the one element requested.
                Operators.onNextDropped(t, actual.currentContext());
                return;
            }
            value = t;
            phase = HAS_VALUE;
            drain();
        }

        @Override
        public void onError(Throwable t) {
            if (!TERMINAL.compareAndSet(this, null, t)) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            drain();
        }

        @Override
        public void onComplete() {
            if (TERMINAL.compareAndSet(this, null, COMPLETE)) {
                drain();
            }
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                if (TERMINAL.compareAndSet(this, null, Exceptions.nullOrNegativeRequestException(n))) {
                    Subscription s = upstream;
                    if (s != null) {
                        s.cancel();
                    }
                    drain();
                }
                return;
            }
            Operators.addCap(REQUESTED, this, n);
            drain();
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
            disposeToken();
            if (WIP.getAndIncrement(this) == 0) {
                value = null;
            }
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.PARENT) {
                return upstream;
            }
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.CANCELLED) {
                return cancelled && terminal == null;
            }
            if (key == Attr.TERMINATED) {
                return terminal != null;
            }
            if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
                return requested;
            }
            if (key == Attr.BUFFERED) {
                return phase == HAS_VALUE ? 1 : 0;
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            return null;
        }

        @Override
        public String stepName() {
            return "throttle";
        }

        void tokenGranted() {
            phase = READY;
            drain();
        }

        void tokenFailed(Throwable e) {
            if (TERMINAL.compareAndSet(this, null, e)) {
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
                drain();
            } else {
                Operators.onErrorDropped(e, actual.currentContext());
            }
        }

        private void disposeToken() {
            TokenSubscriber t = token;
            if (t != null) {
                t.cancel();
            }
        }

        void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (; ; ) {
                if (cancelled) {
                    value = null;
                    return;
                }
                int ph = phase;
                if (ph == HAS_VALUE) {
                    T v = value;
                    value = null;
                    phase = IDLE;
                    if (requested != Long.MAX_VALUE) {
                        REQUESTED.decrementAndGet(this);
                    }
                    actual.onNext(v);
                    continue;
                }
                Throwable done = terminal;
                if (done != null) {
                    cancelled = true;
                    disposeToken();
                    if (done == COMPLETE) {
                        actual.onComplete();
                    } else {
                        actual.onError(done);
                    }
                    return;
                }
                if (ph == IDLE && requested > 0) {
                    phase = ACQUIRING;
                    TokenSubscriber t = new TokenSubscriber(this);
                    token = t;
                    bucket.acquire(1).subscribe(t);
                    continue;
                }
                if (ph == READY) {
                    phase = AWAITING;
                    Subscription s = upstream;
                    if (s != null) {
                        s.request(1);
                    }
                    continue;
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }
    }

    /** Subscribes to one {@code acquire(1)}; a new one per token (a subscriber is subscribed at most once). */
    static final class TokenSubscriber implements CoreSubscriber<Void> {

        final ThrottleSubscriber<?> parent;

        volatile @Nullable Subscription s;
        static final AtomicReferenceFieldUpdater<TokenSubscriber, Subscription> S =
                AtomicReferenceFieldUpdater.newUpdater(TokenSubscriber.class, Subscription.class, "s");

        TokenSubscriber(ThrottleSubscriber<?> parent) {
            this.parent = parent;
        }

        @Override
        public Context currentContext() {
            return parent.actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            if (Operators.setOnce(S, this, subscription)) {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Void unused) {
            // Mono<Void> emits no value.
        }

        @Override
        public void onError(Throwable t) {
            parent.tokenFailed(t);
        }

        @Override
        public void onComplete() {
            parent.tokenGranted();
        }

        void cancel() {
            Operators.terminate(S, this);
        }
    }
}
