package io.github.reactorpatterns.queue;

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
 * <p><b>Thread safety.</b> Every method may be called from any thread at any time. The state is guarded by one
 * short lock that is never held while user code runs; waiting producers and {@link #join()} callers are signalled
 * through {@link Sinks} and {@link MonoSink}s, each emitted exactly once, so no emission can fail as
 * non-serialized.
 *
 * @param <J> the type of the jobs
 */
public final class WorkQueue<J> {

    /** The number of workers if {@link Builder#workers(int)} is not called: {@value}. */
    public static final int DEFAULT_WORKERS = 1;

    private static final Logger LOG = Loggers.getLogger(WorkQueue.class);

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<WorkQueue> COMPLETED =
            AtomicLongFieldUpdater.newUpdater(WorkQueue.class, "completed");

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<WorkQueue> FAILED =
            AtomicLongFieldUpdater.newUpdater(WorkQueue.class, "failed");

    private static final int OPEN = 0;
    private static final int DRAINING = 1;
    private static final int TERMINATED = 2;

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
    /** Jobs started and not yet ended: an intrusive list (no allocation, O(1) removal). Guarded by {@link #lock}. */
    private @Nullable JobRun runningHead;
    /** Guarded by {@link #lock}. */
    private int runningCount;
    /** Guarded by {@link #lock}. */
    private int state = OPEN;
    /** Completed by the first time the queue is idle after a {@link #join()}; replaced afterwards. */
    private Sinks.@Nullable Empty<Void> idle;
    /*
     * The counters are written only under the lock and read without it. Each write is a release store (lazySet):
     * readers see the value and everything written before it, and the lock's own exit orders it for the next
     * holder, so the full fence of a volatile write on every job end would buy nothing.
     */
    /** Written under {@link #lock}, with {@link #COMPLETED}. */
    private volatile long completed;
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
        JobRun run = null;
        boolean accepted = false;
        boolean full = false;
        synchronized (lock) {
            if (state == OPEN) {
                if (queued.size() >= capacity) {
                    full = true;
                } else {
                    run = acceptLocked(job);
                    accepted = true;
                }
            }
        }
        if (full) {
            Mono.<Void>create(sink -> subscribeWaitingPut(job, sink)).subscribe(actual);
        } else if (!accepted) {
            Operators.error(actual, putAfterShutdown());
        } else {
            startOrDrain(run);
            Operators.complete(actual);
        }
    }

    /**
     * Accepts a job: starts it at once when nothing is queued ahead and a worker is free (one lock for accepting and
     * starting), else queues it. Guarded by {@link #lock}; the caller checked state and room.
     *
     * @return the run to start outside the lock, or null if the job was queued
     */
    private @Nullable JobRun acceptLocked(J job) {
        if (queued.isEmpty() && runningCount < workers) {
            JobRun run = new JobRun(job);
            link(run);
            return run;
        }
        queued.offer(job);
        return null;
    }

    private void startOrDrain(@Nullable JobRun run) {
        if (run != null) {
            run.start();
        } else {
            drain();
        }
    }

    private void subscribeWaitingPut(J job, MonoSink<Void> sink) {
        PutWaiter<J> waiter = null;
        boolean accepted = false;
        JobRun run = null;
        synchronized (lock) {
            if (state == OPEN) {
                if (queued.size() < capacity) {
                    run = acceptLocked(job);
                    accepted = true;
                } else {
                    waiter = new PutWaiter<>(job, sink);
                    waiters.offer(waiter);
                }
            }
        }
        if (accepted) {
            startOrDrain(run);
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
        JobRun run;
        synchronized (lock) {
            if (state != OPEN || queued.size() >= capacity) {
                return false;
            }
            run = acceptLocked(job);
        }
        startOrDrain(run);
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
                if (queued.isEmpty() && runningCount == 0) {
                    return Mono.empty();
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
     * {@link CancellationException} (reported to {@code onFailure}), and the removed jobs are emitted once every
     * cancelled job has ended (a job that was just ending on another thread is counted there first). A grace of
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
            rejected = new ArrayList<>(waiters);
            waiters.clear();
            idleNow = queued.isEmpty() && runningCount == 0;
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
            neverStarted = List.copyOf(queued);
            returned += neverStarted.size();
            queued.clear();
            handedBack = neverStarted;
            toCancel = new ArrayList<>(runningCount);
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
        synchronized (lock) {
            return runningCount;
        }
    }

    /**
     * The number of jobs whose handler completed successfully.
     *
     * @return the count since creation
     */
    public long completed() {
        return completed;
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
                    + runningCount + ", completed=" + completed + ", failed=" + failed + "]";
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
                    if (state == TERMINATED || runningCount >= workers || queued.isEmpty()) {
                        break;
                    }
                    run = new JobRun(queued.poll());
                    link(run);
                    while (!waiters.isEmpty()) {
                        PutWaiter<J> waiter = waiters.poll();
                        if (waiter.tryAccept()) {
                            queued.offer(waiter.job);
                            admitted = waiter;
                            break;
                        }
                    }
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
     * A job ended: frees its worker, counts it (unless {@code counted} is false: a JVM-fatal error that is being
     * rethrown), reports a failure, and starts the next job.
     */
    private void jobEnded(JobRun run, @Nullable Throwable error, boolean counted) {
        Sinks.Empty<Void> joiners = null;
        List<J> result = null;
        boolean more;
        synchronized (lock) {
            unlink(run);
            if (!counted) {
                error = null;
            } else if (error == null) {
                COMPLETED.lazySet(this, completed + 1);
            } else {
                FAILED.lazySet(this, failed + 1);
            }
            more = !queued.isEmpty();
            if (!more && runningCount == 0) {
                joiners = idle;
                idle = null;
                result = shutdownResultLocked();
            }
        }
        if (error != null) {
            try {
                onFailure.accept(run.job, error);
            } catch (Throwable t) {
                Exceptions.throwIfJvmFatal(t);
                LOG.error("WorkQueue onFailure threw for job " + run.job, t);
            }
        }
        signalIdle(joiners, result);
        if (more) {
            drain();
        }
    }

    /** Completes a waiting join() and finishes a draining shutdown when nothing is queued and nothing runs. */
    private void signalIdleIfIdle() {
        Sinks.Empty<Void> joiners;
        List<J> result;
        synchronized (lock) {
            if (!queued.isEmpty() || runningCount != 0) {
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
        runningCount++;
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
        runningCount--;
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
                jobEnded(this, cause != null ? cause : new CancellationException("job cancelled"), true);
            } else {
                jobEnded(this, error, !abandoned);
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
