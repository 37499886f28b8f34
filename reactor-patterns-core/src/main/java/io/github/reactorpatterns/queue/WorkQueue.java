package io.github.reactorpatterns.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.github.reactorpatterns.internal.RunOnceSubscriber;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A bounded work queue with a fixed number of workers: the reactive form of {@code asyncio.Queue(maxsize)} with N
 * worker tasks, {@code task_done}/{@code join}, and a shutdown that hands back the jobs that never started.
 *
 * <pre>{@code
 * WorkQueue<Job> queue = WorkQueue.<Job>builder()
 *         .capacity(100)                        // asyncio.Queue(maxsize=100)
 *         .workers(5)                           // five worker tasks
 *         .handler(job -> process(job))         // Function<Job, Mono<?>>
 *         .build();
 *
 * Flux.fromIterable(jobs).concatMap(queue::put)  // waits, without blocking, while the queue is full
 *     .then(queue.join())                        // completes when every accepted job was handled
 *     .block();
 * List<Job> neverStarted = queue.shutdown(Duration.ofSeconds(10)).block();
 * }</pre>
 *
 * <p><b>How it differs from {@code Sinks.many().unicast()} + {@code flatMap}.</b> That hand-rolled form buffers
 * without bound (or rounds its bound up to a power of two), fails concurrent producers with
 * {@code FAIL_NON_SERIALIZED}, ends the whole stream on the first handler error unless {@code onErrorContinue} is
 * used, and hides the jobs it took from the sink inside {@code flatMap}, so a shutdown cannot say which ones never
 * started. Here the queue holds at most {@link Builder#capacity(int) capacity} jobs, any number of threads may
 * {@link #put(Object) put} and {@link #offer(Object) offer} at once, a failing job is reported to
 * {@link Builder#onFailure(BiConsumer) onFailure} and the worker goes on, and {@link #shutdown(Duration)} returns
 * exactly the jobs no worker took.
 *
 * <p><b>Workers.</b> A job runs as soon as it is accepted and fewer than {@code workers} jobs run; otherwise it waits
 * in the queue (at most {@code capacity} jobs), and producers that {@link #put(Object) put} into a full queue wait in
 * FIFO order for space. The handler's {@code Mono} is subscribed on the thread that made room for it (the producer
 * that put the job, or the thread on which the previous job ended), like {@code flatMap}; add
 * {@code subscribeOn(...)} inside the handler to move the work elsewhere. Starting jobs is trampolined: a million
 * synchronous jobs run in a loop, never recursively. Values the handler's {@code Mono} emits are ignored. A
 * {@code Mono} that is a {@link java.util.concurrent.Callable} ({@code Mono.just}, {@code empty}, {@code error},
 * {@code fromCallable}, {@code fromRunnable}) is evaluated in place without a subscription, as {@code flatMap} does.
 *
 * <p><b>Errors.</b> A job fails when its {@code Mono} errors, when the handler throws, or when it returns
 * {@code null}; the failure is counted in {@link #failed()}, passed to {@code onFailure} with the job, and the queue
 * goes on. A job cancelled by {@link #shutdown(Duration)} after the grace period also counts as failed, with a
 * {@link CancellationException}. Every accepted job thus ends in exactly one of {@link #completed()},
 * {@link #failed()} or the list that {@code shutdown} returns. A JVM-fatal error ({@code OutOfMemoryError},
 * {@code StackOverflowError}, {@code LinkageError} and kin, see {@link Exceptions#isJvmFatal(Throwable)}) thrown by the
 * handler or by a {@code Callable} {@code Mono} is not a job failure: the worker is freed, the job is not counted, and
 * the error is rethrown to the thread that started the job (the producer's {@code put}/{@code offer}, or the thread on
 * which the previous job ended), as Reactor's own operators do.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread at any time. A job that finds a free worker
 * with nothing queued is accepted by one atomic step, and a job evaluated in place ends by one more when nobody waits
 * on the queue; everything else is guarded by one short lock that is never held while user code runs. Waiting
 * producers and {@link #join()} callers are signalled
 * through {@link Sinks} and {@link MonoSink}s, each emitted exactly once, so no emission can fail as
 * non-serialized.
 *
 * @param <J> the type of the jobs
 */
public final class WorkQueue<J> {

    /** The number of workers if {@link Builder#workers(int)} is not called: {@value}. */
    public static final int DEFAULT_WORKERS = 1;

    private static final Logger LOG = Loggers.getLogger(WorkQueue.class);

    private static final VarHandle CTL;

    static {
        try {
            CTL = MethodHandles.lookup().findVarHandle(WorkQueue.class, "ctl", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<WorkQueue> FAILED =
            AtomicLongFieldUpdater.newUpdater(WorkQueue.class, "failed");

    private static final int OPEN = 0;
    private static final int DRAINING = 1;
    private static final int TERMINATED = 2;

    /*
     * The control word ctl: bits 0-30 count the jobs that hold a worker (accepted to run and not ended), bit 31 is
     * SLOW, bits 32-63 count completions not yet folded into completedBase.
     *
     * SLOW is set, under the lock, whenever the lock-free paths must not run: a job is queued (or a producer waits),
     * a join() waits for idleness, or the shutdown has begun. While it is clear, a job is accepted by one CAS that
     * raises the running count below `workers` (tryAcceptFast), and a job evaluated in place ends by one CAS that
     * lowers it and counts the completion (endCompleted). While it is set, ctl changes only under the lock: every
     * lock-free CAS was computed from a word without SLOW and fails once the flag is in. So a lock holder that sets
     * SLOW by CAS reads, in that CAS's witness, a running count that stays put until it sets the flag back: a
     * decision taken there (queue the job, the queue is idle, the shutdown may finish) cannot race a lock-free step.
     */
    private static final long RUNNING_MASK = (1L << 31) - 1;
    private static final long SLOW = 1L << 31;
    private static final int PENDING_SHIFT = 32;
    private static final long PENDING_ONE = 1L << PENDING_SHIFT;
    /**
     * Completions a lock-free end may leave pending before it takes the lock, which folds them into
     * {@link #completedBase}: once per this many jobs at most, far from the 32 bits' overflow.
     */
    static final long PENDING_MAX = (1L << 16) - 1;

    private final int capacity;
    private final int workers;
    private final Function<? super J, ? extends Mono<?>> handler;
    private final BiConsumer<? super J, ? super Throwable> onFailure;
    private final @Nullable Scheduler scheduler;

    private final Object lock = new Object();
    /** Jobs accepted and not yet started; never more than {@code capacity}. Guarded by {@link #lock}. */
    private final ArrayDeque<J> queued;
    /** Producers waiting for space, FIFO. Guarded by {@link #lock}. */
    private final ArrayDeque<PutWaiter<J>> waiters = new ArrayDeque<>();
    /**
     * Jobs subscribed and not yet ended, the ones a shutdown may have to cancel: an intrusive list (no allocation,
     * O(1) removal). A job evaluated in place holds a worker but is not linked: it cannot be cancelled. Guarded by
     * {@link #lock}.
     */
    private @Nullable JobRun runningHead;
    /** See the layout above; changed by CAS only, under the lock while SLOW is set. */
    @SuppressWarnings("unused") // through CTL
    private volatile long ctl;
    /** Guarded by {@link #lock}. */
    private int state = OPEN;
    /** Completed by the first time the queue is idle after a {@link #join()}; replaced afterwards. */
    private Sinks.@Nullable Empty<Void> idle;
    /**
     * Completions folded in from ctl's pending count, under the lock; {@link #completed()} reads both under it.
     * Guarded by {@link #lock}.
     */
    private long completedBase;
    /**
     * Grace of the shutdown whose period has elapsed, for a job that holds a worker but was not linked when the
     * running jobs were cancelled: it cancels itself when it links. Guarded by {@link #lock}.
     */
    private @Nullable Duration elapsedGrace;
    /*
     * failed is written only under the lock and read without it, with a release store (lazySet): readers see the
     * value and everything written before it, and the lock's own exit orders it for the next holder.
     */
    /** Written under {@link #lock}, with {@link #FAILED}. */
    private volatile long failed;
    /** Jobs handed back by a shutdown; written under {@link #lock}. */
    private volatile long returned;
    /**
     * The jobs the elapsed grace period took from the queue, held until the last cancelled job has ended and been
     * counted (a job that was ending on another thread when it was cancelled is counted by that thread); null before
     * and once emitted. Guarded by {@link #lock}.
     */
    private @Nullable List<J> handedBack;

    private final Sinks.One<List<J>> shutdownResult = Sinks.one();
    /** The grace timer of a shutdown; disposed as soon as the shutdown finishes, early or not. */
    private final Disposable.Swap graceTimer = Disposables.swap();

    private final AtomicInteger wip = new AtomicInteger();

    private WorkQueue(Builder<J> builder) {
        this.capacity = builder.capacity;
        this.workers = builder.workers;
        this.handler = Objects.requireNonNull(builder.handler, "handler");
        this.onFailure = builder.onFailure;
        this.scheduler = builder.scheduler;
        this.queued = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /**
     * A new builder. {@link Builder#capacity(int)} and {@link Builder#handler(Function)} are required.
     *
     * @param <J> the type of the jobs
     * @return a new, reusable builder
     */
    public static <J> Builder<J> builder() {
        return new Builder<>();
    }

    /**
     * Puts a job into the queue, waiting without blocking a thread while the queue is full: the reactive form of
     * {@code await queue.put(job)}.
     *
     * <p>The returned {@code Mono} completes empty once the job is accepted (it then runs or waits in the queue).
     * Producers that find the queue full wait in FIFO order, and a new producer never overtakes a waiting one.
     * Cancelling the {@code Mono} while it waits withdraws the job: it is never accepted. A cancel that races with
     * the acceptance is decided by one atomic step, so the job is either accepted exactly once (and the cancel only
     * stops the completion signal) or not at all. Once {@link #shutdown(Duration)} has begun, the {@code Mono}
     * fails with {@link IllegalStateException}, and producers still waiting at that moment fail the same way.
     *
     * <p>Lazy: nothing happens until subscription, and each subscription puts the job once more.
     *
     * @param job the job
     * @return a {@code Mono} that completes when the job is accepted
     * @throws NullPointerException if {@code job} is null
     */
    public Mono<Void> put(J job) {
        Objects.requireNonNull(job, "job");
        return MonoPut.of(this, job);
    }

    /**
     * Accepts the job now if there is room and completes the subscriber in place: the common case costs one
     * subscription per job (a {@code Mono.defer} around {@code Mono.empty()} costs two and a lambda). Else waits.
     */
    private void subscribePut(J job, CoreSubscriber<? super Void> actual) {
        if (tryAcceptFast()) {
            runAccepted(job);
            Operators.complete(actual);
            return;
        }
        boolean runNow = false;
        boolean accepted = false;
        boolean full = false;
        synchronized (lock) {
            if (state == OPEN) {
                if (queued.size() >= capacity) {
                    full = true;
                } else {
                    runNow = acceptLocked(job);
                    accepted = true;
                }
            }
        }
        if (full) {
            Mono.<Void>create(sink -> subscribeWaitingPut(job, sink)).subscribe(actual);
        } else if (!accepted) {
            Operators.error(actual, putAfterShutdown());
        } else {
            runOrDrain(runNow, job);
            Operators.complete(actual);
        }
    }

    /**
     * The lock-free accept: gives the job a worker by one CAS when one is free and nothing is queued, nobody waits
     * and the queue is open (SLOW clear). Lock-free: a failed CAS means another job took or freed a worker.
     *
     * @return true if the job holds a worker now (run it with {@link #runAccepted(Object)}), false to take the lock
     */
    private boolean tryAcceptFast() {
        for (; ; ) {
            long c = (long) CTL.getVolatile(this);
            if ((c & SLOW) != 0 || (c & RUNNING_MASK) >= workers) {
                return false;
            }
            if (CTL.compareAndSet(this, c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * Accepts a job: gives it a worker at once when nothing is queued ahead and a worker is free, else queues it
     * (setting SLOW first, so that no lock-free accept overtakes it and every end takes the lock and starts it).
     * Guarded by {@link #lock}; the caller checked state and room.
     *
     * @return true if the job holds a worker (run it with {@link #runAccepted(Object)} outside the lock), false if
     *     it was queued
     */
    private boolean acceptLocked(J job) {
        for (; ; ) {
            long c = (long) CTL.getVolatile(this);
            if (queued.isEmpty() && (c & RUNNING_MASK) < workers) {
                if (CTL.compareAndSet(this, c, c + 1)) {
                    return true;
                }
            } else if ((c & SLOW) != 0 || CTL.compareAndSet(this, c, c | SLOW)) {
                queued.offer(job);
                return false;
            }
        }
    }

    private void runOrDrain(boolean runNow, J job) {
        if (runNow) {
            runAccepted(job);
        } else {
            drain();
        }
    }

    /**
     * Runs a job that holds a worker and is not linked in the running list. A {@code Callable} {@code Mono} is
     * evaluated in place and ends without the lock if nobody waits ({@link #endCompleted()}); any other {@code Mono}
     * is linked under the lock, so that a shutdown can cancel it, then subscribed.
     */
    private void runAccepted(J job) {
        Mono<?> mono;
        try {
            mono = handler.apply(job);
        } catch (Throwable t) {
            endAbandonedIfJvmFatal(t);
            jobEnded(null, job, Exceptions.unwrap(t), true);
            return;
        }
        if (mono == null) {
            jobEnded(null, job, new NullPointerException("handler returned null for job " + job), true);
            return;
        }
        if (mono instanceof Callable) {
            // Mono.empty(), just(..), error(..), fromCallable(..), fromRunnable(..): evaluated in place, as
            // flatMap does, without a subscription
            try {
                ((Callable<?>) mono).call();
            } catch (Throwable t) {
                endAbandonedIfJvmFatal(t);
                jobEnded(null, job, Exceptions.unwrap(t), true);
                return;
            }
            endCompleted();
            return;
        }
        JobRun run = new JobRun(job);
        Duration elapsed;
        synchronized (lock) {
            link(run);
            elapsed = elapsedGrace;
        }
        if (elapsed != null) {
            // the grace period elapsed after this job took its worker and before it was linked: the shutdown did
            // not see it, so it cancels itself, and its Mono is never subscribed
            run.cancelAfterGrace(elapsed);
            return;
        }
        mono.subscribe(run);
    }

    /**
     * A JVM-fatal error from the handler or a {@code Callable} {@code Mono} is not a failure of the job: its worker
     * is freed, uncounted, and the error rethrown to the thread that started the job.
     */
    private void endAbandonedIfJvmFatal(Throwable t) {
        if (Exceptions.isJvmFatal(t)) {
            jobEnded(null, null, null, false);
            Exceptions.throwIfJvmFatal(t);
        }
    }

    /**
     * An unlinked job completed: frees its worker and counts it by one CAS while SLOW is clear and few completions
     * are pending, else by {@link #jobEnded} under the lock (which folds the pending ones in).
     */
    private void endCompleted() {
        for (; ; ) {
            long c = (long) CTL.getVolatile(this);
            if ((c & SLOW) != 0 || (c >>> PENDING_SHIFT) >= PENDING_MAX) {
                jobEnded(null, null, null, true);
                return;
            }
            if (CTL.compareAndSet(this, c, c - 1 + PENDING_ONE)) {
                return;
            }
        }
    }

    private void subscribeWaitingPut(J job, MonoSink<Void> sink) {
        PutWaiter<J> waiter = null;
        boolean accepted = false;
        boolean runNow = false;
        synchronized (lock) {
            if (state == OPEN) {
                if (queued.size() < capacity) {
                    runNow = acceptLocked(job);
                    accepted = true;
                } else {
                    waiter = new PutWaiter<>(job, sink);
                    waiters.offer(waiter);
                }
            }
        }
        if (accepted) {
            runOrDrain(runNow, job);
            sink.success();
        } else if (waiter != null) {
            PutWaiter<J> w = waiter;
            sink.onCancel(() -> withdraw(w));
        } else {
            sink.error(putAfterShutdown());
        }
    }

    private void withdraw(PutWaiter<J> waiter) {
        if (waiter.tryCancel()) {
            synchronized (lock) {
                waiters.remove(waiter);
                updateSlowLocked();
            }
        }
    }

    /**
     * Accepts the job if the queue has room now, else returns {@code false} at once: the form of
     * {@code queue.put_nowait(job)} that reports a full queue by its result instead of an exception.
     *
     * <p>Returns {@code false} as well once {@link #shutdown(Duration)} has begun: a producer that offers must handle
     * "not accepted" anyway, and a shutdown racing on another thread should not turn into an exception. Never
     * overtakes producers waiting in {@link #put(Object)} (the queue is full while any wait).
     *
     * @param job the job
     * @return {@code true} if the job was accepted
     * @throws NullPointerException if {@code job} is null
     */
    public boolean offer(J job) {
        Objects.requireNonNull(job, "job");
        if (tryAcceptFast()) {
            runAccepted(job);
            return true;
        }
        boolean runNow;
        synchronized (lock) {
            if (state != OPEN || queued.size() >= capacity) {
                return false;
            }
            runNow = acceptLocked(job);
        }
        runOrDrain(runNow, job);
        return true;
    }

    /**
     * Completes when the queue is idle: no job waits in the queue and none runs. The form of
     * {@code await queue.join()}: every job accepted before the queue became idle has ended (completed, failed, or
     * been handed back by {@link #shutdown(Duration)}).
     *
     * <p>As in asyncio, jobs accepted while a {@code join} waits are waited for too. Producers still waiting in
     * {@link #put(Object)} are not accepted yet and are not waited for. Completes at once if the queue is idle at
     * subscription. Never errors; cancelling it affects nothing else. Lazy: the state is checked at each
     * subscription.
     *
     * @return a {@code Mono} that completes when the queue is idle
     */
    public Mono<Void> join() {
        return Mono.defer(() -> {
            synchronized (lock) {
                // SLOW, set with the running count that was read, keeps the count from reaching zero without the
                // lock: the job that ends last then takes it and completes the sink
                for (; ; ) {
                    long c = (long) CTL.getVolatile(this);
                    if (queued.isEmpty() && (c & RUNNING_MASK) == 0) {
                        return Mono.empty();
                    }
                    if ((c & SLOW) != 0 || CTL.compareAndSet(this, c, c | SLOW)) {
                        break;
                    }
                }
                Sinks.Empty<Void> sink = idle;
                if (sink == null) {
                    sink = Sinks.empty();
                    idle = sink;
                }
                return sink.asMono();
            }
        });
    }

    /**
     * Stops accepting jobs, lets the workers finish the queued jobs for up to {@code grace}, then cancels the jobs
     * still running and emits the jobs that never started, in queue order.
     *
     * <p>From the moment of subscription {@link #put(Object)} fails with {@link IllegalStateException},
     * {@link #offer(Object)} returns {@code false}, and producers waiting in {@code put} fail. The workers go on
     * taking queued jobs during the grace period. If the queue becomes idle within it, the {@code Mono} emits an
     * empty list at that moment. Otherwise, when {@code grace} has elapsed on the {@link Builder#scheduler(Scheduler)
     * scheduler}, the queued jobs are removed, each running job is cancelled and counted as failed with a
     * {@link CancellationException} (reported to {@code onFailure}; a {@code Callable} {@code Mono} being
     * evaluated in place at that moment cannot be cancelled and counts as it ends), and the removed jobs are emitted
     * once every cancelled job has ended (a job that was just ending on another thread is counted there first). A grace of
     * zero cancels at once. The grace timer is disposed as soon as the queue becomes idle. If the scheduler rejects
     * the timer (it was disposed), the grace period ends at once, with a warning in the log.
     *
     * <p>Idempotent: the first subscription to any {@code shutdown} {@code Mono} starts the shutdown with its grace;
     * every subscription, earlier or later, receives the same list. Cancelling a subscription does not stop a
     * shutdown that has begun. Never errors.
     *
     * @param grace how long the workers may go on before the running jobs are cancelled, {@code >= 0}
     * @return a {@code Mono} of the jobs that never started
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Mono<List<J>> shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace >= 0 required but it was " + grace);
        }
        return Mono.defer(() -> {
            startShutdown(grace);
            return shutdownResult.asMono();
        });
    }

    private void startShutdown(Duration grace) {
        List<PutWaiter<J>> rejected;
        boolean idleNow;
        synchronized (lock) {
            if (state != OPEN) {
                return;
            }
            state = DRAINING;
            // from here on the running count changes only under the lock
            long c = setSlowLocked();
            rejected = new ArrayList<>(waiters);
            waiters.clear();
            idleNow = queued.isEmpty() && (c & RUNNING_MASK) == 0;
            if (idleNow) {
                state = TERMINATED;
            }
        }
        for (PutWaiter<J> waiter : rejected) {
            if (waiter.tryCancel()) {
                waiter.sink.error(new IllegalStateException("WorkQueue was shut down while put was waiting"));
            }
        }
        if (idleNow) {
            shutdownResult.emitValue(List.of(), Sinks.EmitFailureHandler.FAIL_FAST);
        } else {
            Scheduler timer = scheduler != null ? scheduler : Schedulers.parallel();
            Disposable task;
            try {
                task = timer.schedule(() -> graceElapsed(grace), grace.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException timerRejected) {
                // a disposed scheduler cannot time the grace period: end it now rather than never
                LOG.warn(
                        "WorkQueue shutdown: the scheduler rejected the grace timer; cancelling the running jobs now",
                        timerRejected);
                graceElapsed(grace);
                return;
            }
            // a shutdown that finished before this line disposed the swap, which then disposes the task at once
            graceTimer.update(task);
        }
    }

    private void graceElapsed(Duration grace) {
        List<J> neverStarted;
        List<JobRun> toCancel;
        synchronized (lock) {
            if (state != DRAINING) {
                return;
            }
            state = TERMINATED;
            elapsedGrace = grace;
            neverStarted = List.copyOf(queued);
            returned += neverStarted.size();
            queued.clear();
            handedBack = neverStarted;
            toCancel = new ArrayList<>();
            for (JobRun run = runningHead; run != null; run = run.next) {
                toCancel.add(run);
            }
        }
        for (JobRun run : toCancel) {
            run.cancelAfterGrace(grace);
        }
        graceTimer.dispose();
        // A cancelled job ends (and is counted) in cancel() unless it was already ending on another thread: then
        // that thread counts it and emits the list once the last running job has ended. Emitting here regardless
        // would hand the list back while such a job is neither completed() nor failed() yet.
        signalIdleIfIdle();
    }

    /**
     * The number of jobs accepted and waiting for a worker (not counting producers waiting in {@code put}).
     *
     * @return the current queue length, between 0 and the capacity
     */
    public int size() {
        synchronized (lock) {
            return queued.size();
        }
    }

    /**
     * The number of jobs running now.
     *
     * @return the number of running jobs, between 0 and the number of workers
     */
    public int inFlight() {
        return (int) ((long) CTL.getVolatile(this) & RUNNING_MASK);
    }

    /**
     * The number of jobs whose handler completed successfully.
     *
     * @return the count since creation
     */
    public long completed() {
        synchronized (lock) {
            return completedLocked();
        }
    }

    /** Guarded by {@link #lock}: the folded completions plus those pending in ctl (which only grow without it). */
    private long completedLocked() {
        return completedBase + ((long) CTL.getVolatile(this) >>> PENDING_SHIFT);
    }

    /**
     * The number of jobs that failed: their handler errored, threw or returned {@code null}, or they were cancelled
     * by {@link #shutdown(Duration)} after the grace period.
     *
     * @return the count since creation
     */
    public long failed() {
        return failed;
    }

    /**
     * The number of accepted jobs that never started and were handed back by {@link #shutdown(Duration)} (the list
     * it emits). With {@link #completed()}, {@link #failed()}, {@link #size()} and {@link #inFlight()} it accounts
     * for every accepted job.
     *
     * @return the count since creation
     */
    public long returned() {
        return returned;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "WorkQueue[capacity=" + capacity + ", workers=" + workers + ", size=" + queued.size() + ", inFlight="
                    + inFlight() + ", completed=" + completedLocked() + ", failed=" + failed + "]";
        }
    }

    /** Starts queued jobs while workers are free; trampolined so that synchronous jobs never recurse. */
    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        // a JVM-fatal error thrown while starting a job is rethrown once the loop is left, so that the loop's
        // counter is never left raised (which would stop every later job from starting)
        Throwable fatal = null;
        for (; ; ) {
            for (; ; ) {
                JobRun run;
                PutWaiter<J> admitted = null;
                synchronized (lock) {
                    // a queued job means SLOW is set: the running count changes only under the lock
                    if (state == TERMINATED || inFlight() >= workers || queued.isEmpty()) {
                        break;
                    }
                    run = new JobRun(queued.poll());
                    link(run);
                    CTL.getAndAdd(this, 1L);
                    while (!waiters.isEmpty()) {
                        PutWaiter<J> waiter = waiters.poll();
                        if (waiter.tryAccept()) {
                            queued.offer(waiter.job);
                            admitted = waiter;
                            break;
                        }
                    }
                    updateSlowLocked();
                }
                if (admitted != null) {
                    admitted.sink.success();
                }
                try {
                    run.start();
                } catch (Throwable t) {
                    if (fatal == null) {
                        fatal = t;
                    } else if (fatal != t) {
                        fatal.addSuppressed(t);
                    }
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                if (fatal != null) {
                    Exceptions.throwIfJvmFatal(fatal);
                }
                return;
            }
        }
    }

    /**
     * A job ended, under the lock: unlinks its run (if it was linked), frees its worker, counts it (unless
     * {@code counted} is false: a JVM-fatal error that is being rethrown), reports a failure, and starts the next
     * job.
     *
     * @param run the job's run, or null for a job evaluated in place without one
     * @param job the job, for the failure report; may be null when {@code error} is null
     */
    private void jobEnded(@Nullable JobRun run, @Nullable J job, @Nullable Throwable error, boolean counted) {
        Sinks.Empty<Void> joiners = null;
        List<J> result = null;
        boolean more;
        synchronized (lock) {
            if (run != null) {
                unlink(run);
            }
            if (!counted) {
                error = null;
            } else if (error != null) {
                FAILED.lazySet(this, failed + 1);
            }
            long c = releaseWorkerLocked(counted && error == null);
            more = !queued.isEmpty();
            if (!more && (c & RUNNING_MASK) == 0) {
                joiners = idle;
                idle = null;
                result = shutdownResultLocked();
            }
            updateSlowLocked();
        }
        if (error != null) {
            try {
                onFailure.accept(job, error);
            } catch (Throwable t) {
                Exceptions.throwIfJvmFatal(t);
                LOG.error("WorkQueue onFailure threw for job " + job, t);
            }
        }
        signalIdle(joiners, result);
        if (more) {
            drain();
        }
    }

    /**
     * Frees one worker and folds the pending completions (plus this job's, if {@code completedOne}) into
     * {@link #completedBase}. Guarded by {@link #lock}.
     *
     * @return the new control word
     */
    private long releaseWorkerLocked(boolean completedOne) {
        for (; ; ) {
            long c = (long) CTL.getVolatile(this);
            if ((c & RUNNING_MASK) == 0) {
                throw new IllegalStateException("WorkQueue: a job ended that held no worker (bug)");
            }
            long next = (c & (SLOW | RUNNING_MASK)) - 1;
            if (CTL.compareAndSet(this, c, next)) {
                completedBase += (c >>> PENDING_SHIFT) + (completedOne ? 1 : 0);
                return next;
            }
        }
    }

    /**
     * Sets SLOW. Guarded by {@link #lock}.
     *
     * @return the control word with SLOW set; its running count changes only under the lock from now on
     */
    private long setSlowLocked() {
        for (; ; ) {
            long c = (long) CTL.getVolatile(this);
            if ((c & SLOW) != 0 || CTL.compareAndSet(this, c, c | SLOW)) {
                return c | SLOW;
            }
        }
    }

    /**
     * Sets or clears SLOW after a change to what it stands for: queued jobs, waiting producers, a waiting
     * {@code join}, or a shutdown. Guarded by {@link #lock}.
     */
    private void updateSlowLocked() {
        if (state != OPEN || !queued.isEmpty() || !waiters.isEmpty() || idle != null) {
            setSlowLocked();
            return;
        }
        for (; ; ) {
            long c = (long) CTL.getVolatile(this);
            if ((c & SLOW) == 0 || CTL.compareAndSet(this, c, c & ~SLOW)) {
                return;
            }
        }
    }

    /** Completes a waiting join() and finishes a draining shutdown when nothing is queued and nothing runs. */
    private void signalIdleIfIdle() {
        Sinks.Empty<Void> joiners;
        List<J> result;
        synchronized (lock) {
            // called once the shutdown began: SLOW is set, the running count changes only under the lock
            if (!queued.isEmpty() || inFlight() != 0) {
                return;
            }
            joiners = idle;
            idle = null;
            result = shutdownResultLocked();
        }
        signalIdle(joiners, result);
    }

    /**
     * The queue is idle: the list a shutdown emits now (empty when it drained within the grace period, the jobs the
     * grace period took once the last cancelled job has ended), or null if there is none to emit. Guarded by
     * {@link #lock}; returns a list at most once.
     */
    private @Nullable List<J> shutdownResultLocked() {
        if (state == DRAINING) {
            state = TERMINATED;
            return List.of();
        }
        List<J> result = handedBack;
        handedBack = null;
        return result;
    }

    private void signalIdle(Sinks.@Nullable Empty<Void> joiners, @Nullable List<J> shutdownList) {
        if (joiners != null) {
            joiners.emitEmpty(Sinks.EmitFailureHandler.FAIL_FAST);
        }
        if (shutdownList != null) {
            // the shutdown is over: the timer has nothing left to do
            graceTimer.dispose();
            shutdownResult.emitValue(shutdownList, Sinks.EmitFailureHandler.FAIL_FAST);
        }
    }

    /** Guarded by {@link #lock}. */
    private void link(JobRun run) {
        run.next = runningHead;
        if (runningHead != null) {
            runningHead.prev = run;
        }
        runningHead = run;
    }

    /** Guarded by {@link #lock}. */
    private void unlink(JobRun run) {
        if (run.prev != null) {
            run.prev.next = run.next;
        } else {
            runningHead = run.next;
        }
        if (run.next != null) {
            run.next.prev = run.prev;
        }
        run.prev = null;
        run.next = null;
    }

    private static IllegalStateException putAfterShutdown() {
        return new IllegalStateException("put after shutdown: the WorkQueue no longer accepts jobs");
    }

    private static void checkPositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " > 0 required but it was " + value);
        }
    }

    /** The {@code Mono} of {@link #put(Object)}: subscribing puts the job once. */
    private static final class MonoPut<J> extends Mono<Void> implements Scannable {

        private final WorkQueue<J> queue;
        private final J job;

        private MonoPut(WorkQueue<J> queue, J job) {
            this.queue = queue;
            this.job = job;
        }

        /** A put, through Reactor's assembly hooks (so {@code Hooks.onOperatorDebug()} sees it). */
        static <J> Mono<Void> of(WorkQueue<J> queue, J job) {
            return onAssembly(new MonoPut<>(queue, job));
        }

        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            queue.subscribePut(job, actual);
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            // completes on the subscribing thread when there is room, later on the thread that makes room
            return key == Attr.RUN_STYLE ? Attr.RunStyle.ASYNC : null;
        }
    }

    /** A producer waiting in put(); accepted or cancelled exactly once. */
    private static final class PutWaiter<J> {

        private static final int WAITING = 0;
        private static final int ACCEPTED = 1;
        private static final int CANCELLED = 2;

        @SuppressWarnings("rawtypes")
        private static final AtomicIntegerFieldUpdater<PutWaiter> STATE =
                AtomicIntegerFieldUpdater.newUpdater(PutWaiter.class, "state");

        final J job;
        final MonoSink<Void> sink;
        volatile int state;

        PutWaiter(J job, MonoSink<Void> sink) {
            this.job = job;
            this.sink = sink;
        }

        boolean tryAccept() {
            return STATE.compareAndSet(this, WAITING, ACCEPTED);
        }

        boolean tryCancel() {
            return STATE.compareAndSet(this, WAITING, CANCELLED);
        }
    }

    /** One running job: subscribes the handler's Mono and reports its end exactly once. */
    private final class JobRun extends RunOnceSubscriber<Object> {

        final J job;
        /** Links of the running list. Guarded by the queue's lock. */
        @Nullable
        JobRun prev;

        @Nullable
        JobRun next;

        private volatile @Nullable Throwable cancelCause;
        /** Set before ending a job whose handler threw a JVM-fatal error: such a job is not counted. */
        private boolean abandoned;

        JobRun(J job) {
            this.job = job;
        }

        void start() {
            if (isDisposed()) {
                // cancelled by shutdown between being taken from the queue and starting: the handler never runs
                return;
            }
            Mono<?> mono;
            try {
                mono = handler.apply(job);
                if (mono == null) {
                    mono = Mono.error(new NullPointerException("handler returned null for job " + job));
                }
            } catch (Throwable t) {
                abandonIfJvmFatal(t);
                mono = Mono.error(t);
            }
            if (mono instanceof Callable) {
                // Mono.empty(), just(..), error(..), fromCallable(..), fromRunnable(..): evaluated in place, as
                // flatMap does, without a subscription
                Throwable failure = null;
                try {
                    ((Callable<?>) mono).call();
                } catch (Throwable t) {
                    abandonIfJvmFatal(t);
                    failure = Exceptions.unwrap(t);
                }
                endInPlace(failure);
                return;
            }
            mono.subscribe(this);
        }

        /**
         * An {@code OutOfMemoryError} or kin is not a failure of the job: the worker is freed (so the queue's
         * accounting stays whole for whoever survives it) and the error is rethrown to the thread that started the
         * job, as Reactor's own operators do.
         */
        private void abandonIfJvmFatal(Throwable t) {
            if (Exceptions.isJvmFatal(t)) {
                abandoned = true;
                end(null);
                Exceptions.throwIfJvmFatal(t);
            }
        }

        void cancelAfterGrace(Duration grace) {
            cancelCause = new CancellationException("job cancelled: shutdown grace period of " + grace + " elapsed");
            cancel();
        }

        @Override
        protected void hookOnEnd(@Nullable Throwable error, boolean cancelled) {
            if (cancelled) {
                Throwable cause = cancelCause;
                jobEnded(this, job, cause != null ? cause : new CancellationException("job cancelled"), true);
            } else {
                jobEnded(this, job, error, !abandoned);
            }
        }
    }

    /**
     * Builds a {@link WorkQueue}. Reusable: {@link #build()} copies the settings, so one builder can build many
     * queues. Not thread-safe.
     *
     * @param <J> the type of the jobs
     */
    public static final class Builder<J> {

        private int capacity;
        private int workers = DEFAULT_WORKERS;
        private @Nullable Function<? super J, ? extends Mono<?>> handler;
        private BiConsumer<? super J, ? super Throwable> onFailure = Builder::logFailure;
        private @Nullable Scheduler scheduler;

        private Builder() {}

        /**
         * How many accepted jobs may wait for a worker: the {@code maxsize} of {@code asyncio.Queue}. Required.
         * Running jobs do not count against it.
         *
         * @param capacity the bound, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity} is not positive
         */
        public Builder<J> capacity(int capacity) {
            checkPositive("capacity", capacity);
            this.capacity = capacity;
            return this;
        }

        /**
         * How many jobs run at once. Defaults to {@link #DEFAULT_WORKERS}.
         *
         * @param workers the number of workers, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code workers} is not positive
         */
        public Builder<J> workers(int workers) {
            checkPositive("workers", workers);
            this.workers = workers;
            return this;
        }

        /**
         * The work for one job. Required. The job is done when the returned {@code Mono} ends; its values are
         * ignored. An error, a throw or a {@code null} return fails that job only.
         *
         * @param handler the work for one job
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder<J> handler(Function<? super J, ? extends Mono<?>> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * What to do with a failed job. Called once per failure, with the job and the error, on the thread where the
         * job ended; an exception it throws is logged and otherwise ignored. Defaults to logging the job and the
         * error at ERROR level through {@link Loggers} (category {@code io.github.reactorpatterns.queue.WorkQueue}).
         *
         * @param onFailure the failure handler
         * @return this builder
         * @throws NullPointerException if {@code onFailure} is null
         */
        public Builder<J> onFailure(BiConsumer<? super J, ? super Throwable> onFailure) {
            this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
            return this;
        }

        /**
         * The scheduler whose clock times the grace period of {@link WorkQueue#shutdown(Duration)}. Defaults to
         * {@link Schedulers#parallel()}, looked up when the shutdown begins (so that
         * {@code StepVerifier.withVirtualTime} replaces it). Jobs do not run on it.
         *
         * @param scheduler the timer
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder<J> scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds a new, empty, open queue with the current settings.
         *
         * @return a new queue
         * @throws IllegalStateException if {@link #capacity(int)} or {@link #handler(Function)} was not set
         */
        public WorkQueue<J> build() {
            if (capacity == 0) {
                throw new IllegalStateException("capacity is required: call capacity(int) before build()");
            }
            if (handler == null) {
                throw new IllegalStateException("handler is required: call handler(Function) before build()");
            }
            return new WorkQueue<>(this);
        }

        private static void logFailure(Object job, Throwable error) {
            LOG.error("WorkQueue job failed: " + job, error);
        }
    }
}
