package io.github.reactorpatterns.redis;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * The per-call machinery of one bucket or semaphore, kept cheap because it runs once per Redis command: every call
 * is bounded by the same timeout, and every signal for a caller is handed to the scheduler.
 *
 * <p>Timeouts: calls are registered in the order they start, and all have the same timeout, so their deadlines are
 * in order too; one timer on the scheduler, armed for the oldest unfinished call, times out whatever is overdue and
 * re-arms for the next. A call that finishes only flips a flag (finished calls are dropped from the head of the
 * line as they go). This replaces a {@code Mono.timeout} per call, which schedules and cancels a task on the
 * scheduler's executor per call and, on each subscription, builds the description of its source by scanning the
 * whole chain of operators.
 *
 * <p>Delivery: signals are queued on a few lanes, each drained by one task on the scheduler, so a burst of replies
 * that Lettuce decodes from one read costs one hand-off per lane rather than one per reply. Each signal still runs
 * on the scheduler, never on the thread that produced it; signals of one lane run one after another, as tasks queued
 * on one worker of the scheduler would.
 */
final class RedisCalls {

    private static final int LANES =
            Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private final Scheduler scheduler;
    private final long timeoutNanos;
    private final String timeoutMessage;
    /** Unfinished calls (and finished ones not yet dropped) in the order they started: deadlines in order. */
    private final Queue<Call<?>> line = new ConcurrentLinkedQueue<>();

    private final AtomicBoolean armed = new AtomicBoolean();
    private final Object sweeping = new Object();
    private final Lane[] lanes;
    private final AtomicInteger nextLane = new AtomicInteger();

    RedisCalls(Scheduler scheduler, Duration timeout) {
        this.scheduler = scheduler;
        this.timeoutNanos = timeout.toNanos();
        this.timeoutMessage = "Redis did not answer within " + timeout.toMillis() + "ms";
        this.lanes = new Lane[LANES];
        for (int i = 0; i < LANES; i++) {
            lanes[i] = new Lane();
        }
    }

    /**
     * Subscribes to {@code command} and calls {@code done} exactly once, on the thread that saw the outcome: with its
     * last value (or null when it completed empty) and a null error, or with a null value and the error (a
     * {@link TimeoutException} once the timeout has passed).
     *
     * @return a handle that cancels the command; {@code done} is then not called
     */
    <T> Disposable run(Publisher<T> command, BiConsumer<@Nullable T, @Nullable Throwable> done) {
        Call<T> call = new Call<>(this, now() + timeoutNanos, done);
        line.offer(call);
        arm();
        command.subscribe(call);
        return call;
    }

    /** Runs {@code signal} on the scheduler (inline if the scheduler refuses work, for example once disposed). */
    void deliver(Runnable signal) {
        Lane lane = lanes[LANES == 1 ? 0 : Math.floorMod(nextLane.getAndIncrement(), LANES)];
        lane.queue.offer(signal);
        if (lane.wip.getAndIncrement() == 0) {
            try {
                scheduler.schedule(lane);
            } catch (RuntimeException rejected) {
                lane.run();
            }
        }
    }

    private long now() {
        return scheduler.now(TimeUnit.NANOSECONDS);
    }

    private void arm() {
        if (!armed.compareAndSet(false, true)) {
            return;
        }
        Call<?> head = line.peek();
        long delay = head == null ? timeoutNanos : Math.max(0, head.deadline - now());
        try {
            scheduler.schedule(this::sweep, delay, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            armed.set(false); // a scheduler that refuses work cannot time anything out; calls end with Redis
        }
    }

    /** Times out every overdue call, drops finished ones, and re-arms for the oldest call still running. */
    private void sweep() {
        armed.set(false);
        long now = now();
        synchronized (sweeping) {
            Call<?> head;
            while ((head = line.peek()) != null) {
                if (head.isFinished()) {
                    line.poll();
                } else if (head.deadline - now <= 0) {
                    line.poll();
                    head.expire();
                } else {
                    break;
                }
            }
        }
        if (!line.isEmpty()) {
            arm();
        }
    }

    /** Drops finished calls from the head of the line, so that it stays as short as the calls in flight. */
    private void trim() {
        Call<?> head = line.peek();
        if (head == null || !head.isFinished()) {
            return;
        }
        synchronized (sweeping) {
            while ((head = line.peek()) != null && head.isFinished()) {
                line.poll();
            }
        }
    }

    private TimeoutException timeoutError() {
        return new TimeoutException(timeoutMessage);
    }

    /** One Redis command in flight: subscribes to it, and finishes once, by its outcome, a timeout or a cancel. */
    private static final class Call<T> implements CoreSubscriber<T>, Disposable {

        private static final AtomicIntegerFieldUpdater<Call> FINISHED =
                AtomicIntegerFieldUpdater.newUpdater(Call.class, "finished");

        final RedisCalls owner;
        final long deadline;
        final BiConsumer<@Nullable T, @Nullable Throwable> done;
        volatile int finished;
        volatile @Nullable Subscription subscription;

        @Nullable
        T value;

        Call(RedisCalls owner, long deadline, BiConsumer<@Nullable T, @Nullable Throwable> done) {
            this.owner = owner;
            this.deadline = deadline;
            this.done = done;
        }

        boolean isFinished() {
            return finished != 0;
        }

        private boolean finish() {
            return finished == 0 && FINISHED.compareAndSet(this, 0, 1);
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (isFinished()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(T t) {
            value = t;
        }

        @Override
        public void onError(Throwable t) {
            if (finish()) {
                complete(null, t);
            } else {
                Operators.onErrorDropped(t, Context.empty());
            }
        }

        @Override
        public void onComplete() {
            if (finish()) {
                complete(value, null);
            }
        }

        void expire() {
            if (finish()) {
                cancelUpstream();
                done.accept(null, owner.timeoutError());
            }
        }

        @Override
        public void dispose() {
            if (finish()) {
                cancelUpstream();
                owner.trim();
            }
        }

        @Override
        public boolean isDisposed() {
            return isFinished();
        }

        private void complete(@Nullable T v, @Nullable Throwable error) {
            owner.trim();
            done.accept(v, error);
        }

        private void cancelUpstream() {
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /** A queue of signals drained by one task on the scheduler at a time. */
    private final class Lane implements Runnable {

        final Queue<Runnable> queue = Queues.<Runnable>unboundedMultiproducer().get();
        final AtomicInteger wip = new AtomicInteger();

        @Override
        public void run() {
            int missed = 1;
            do {
                Runnable signal;
                while ((signal = queue.poll()) != null) {
                    try {
                        signal.run();
                    } catch (Throwable t) {
                        Exceptions.throwIfFatal(t);
                        Operators.onErrorDropped(t, Context.empty()); // one failing callback must not stop the lane
                    }
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
