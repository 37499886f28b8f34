package io.github.reactorpatterns.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.github.reactorpatterns.internal.RunOnceSubscriber;
import io.github.reactorpatterns.time.Deadline;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A registry of fire-and-forget tasks that holds every spawned subscription until it ends, reports their failures,
 * and cancels or drains them all at shutdown: Python's {@code _background_tasks} set, {@code TaskManager} and
 * FastAPI {@code BackgroundTasks}.
 *
 * <pre>{@code
 * BackgroundTasks background = BackgroundTasks.create();
 *
 * Mono<Order> createOrder(Order order) {
 *     return saveOrder(order)
 *             .doOnNext(saved -> background.spawn(sendNotification(saved)));  // not awaited
 * }
 *
 * // on shutdown (or declare the bean with destroyMethod = "close")
 * background.drain(Duration.ofSeconds(5)).block();
 * }</pre>
 *
 * <p><b>How it differs from {@code publisher.subscribe()}.</b> A bare {@code subscribe()} returns a
 * {@code Disposable} that nobody keeps, drops errors to {@code Hooks.onErrorDropped}-style logging without context,
 * and leaves nothing to cancel at shutdown. A {@code Disposables.composite()} keeps the subscriptions but not their
 * end: it grows with every finished task and cannot say when cancellation has finished. Here each task is held
 * strongly from {@link #spawn(Publisher)} until it ends (then released, so a finished task can be collected), each
 * failure goes to one handler, {@link #active()} counts what runs, and {@link #shutdown()} completes only after every
 * task's cancellation has finished.
 *
 * <p><b>When a cancellation "has finished".</b> Each task is subscribed through an outermost
 * {@code doFinally}-like subscriber: it counts the task as ended after the cancel signal has travelled up the whole
 * chain, that is after every {@code doFinally}, {@code doOnCancel} and {@code using} cleanup that runs on the
 * cancelling thread. Cleanup that a task moves to another thread ({@code cancelOn}, the asynchronous cancel path of
 * {@code usingWhen}) may still be running when the task counts as ended. A task that completes or fails by itself
 * counts as ended when its terminal signal arrives; a {@code doFinally} inside it runs just after, on the same
 * thread (that is how {@code doFinally} is ordered), so use {@code doOnTerminate} for work that
 * {@link #drain(Duration)} must wait for.
 *
 * <p><b>Context.</b> A task spawned with {@link #spawn(Publisher, ContextView)} sees the spawner's Reactor
 * {@code Context} (a request's trace ids), without its {@link Deadline}: a background task outlives the request.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread; {@code spawn} racing with {@code shutdown}
 * either registers the task (and it is cancelled) or fails with {@link IllegalStateException}
 * ({@link #trySpawn(Publisher)}: returns empty).
 */
public final class BackgroundTasks implements AutoCloseable {

    private static final Logger LOG = Loggers.getLogger(BackgroundTasks.class);

    private final Consumer<? super Throwable> onFailure;
    private final @Nullable Scheduler scheduler;

    private final Object lock = new Object();
    /** The running tasks, held strongly until they end. Guarded by {@link #lock}. */
    private final Set<Task> tasks = new HashSet<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** Guarded by {@link #lock}. */
    private boolean terminatedSignalled;
    /** Tasks that ended, by how; written under {@link #lock}. */
    private volatile long finished;

    private volatile long failed;
    private volatile long cancelled;
    private final Sinks.Empty<Void> terminated = Sinks.empty();

    private BackgroundTasks(Consumer<? super Throwable> onFailure, @Nullable Scheduler scheduler) {
        this.onFailure = onFailure;
        this.scheduler = scheduler;
    }

    /**
     * A registry that logs task failures at ERROR level through {@link Loggers} (category
     * {@code io.github.reactorpatterns.lifecycle.BackgroundTasks}) and times {@link #drain(Duration)} on
     * {@link Schedulers#parallel()}.
     *
     * @return a new, open registry
     */
    public static BackgroundTasks create() {
        return new BackgroundTasks(BackgroundTasks::logFailure, null);
    }

    /**
     * A registry that passes every task failure to {@code onFailure}.
     *
     * @param onFailure called once per failed task, with its error, on the thread where it failed; an exception it
     *     throws is logged and otherwise ignored
     * @return a new, open registry
     * @throws NullPointerException if {@code onFailure} is null
     */
    public static BackgroundTasks create(Consumer<? super Throwable> onFailure) {
        return new BackgroundTasks(Objects.requireNonNull(onFailure, "onFailure"), null);
    }

    /**
     * A registry that passes every task failure to {@code onFailure} and times {@link #drain(Duration)} on
     * {@code scheduler}.
     *
     * @param onFailure called once per failed task, with its error; an exception it throws is logged
     * @param scheduler the clock for the grace period of {@link #drain(Duration)}
     * @return a new, open registry
     * @throws NullPointerException if {@code onFailure} or {@code scheduler} is null
     */
    public static BackgroundTasks create(Consumer<? super Throwable> onFailure, Scheduler scheduler) {
        return new BackgroundTasks(
                Objects.requireNonNull(onFailure, "onFailure"), Objects.requireNonNull(scheduler, "scheduler"));
    }

    /**
     * Subscribes to {@code task} now and keeps it until it ends: the form of {@code asyncio.create_task(coro)} plus
     * {@code _background_tasks.add(task)} and {@code task.add_done_callback(_background_tasks.discard)}.
     *
     * <p>The task's values are requested without bound and ignored. If it fails, its error goes to the failure
     * handler; if it completes or is cancelled, nothing is reported. Disposing the returned {@code Disposable}
     * cancels the task (as {@link #shutdown()} does for all of them). The task runs on the thread that calls
     * {@code spawn} until it switches threads itself. It sees an empty {@code Context}; use
     * {@link #spawn(Publisher, ContextView)} to pass the caller's on.
     *
     * @param task the task to run in the background
     * @return a handle that cancels the task
     * @throws NullPointerException if {@code task} is null
     * @throws IllegalStateException if {@link #shutdown()}, {@link #drain(Duration)} or {@link #close()} has begun
     */
    public Disposable spawn(Publisher<?> task) {
        Objects.requireNonNull(task, "task");
        return spawnOrThrow(task, Context.empty());
    }

    /**
     * Like {@link #spawn(Publisher)}, with the spawner's Reactor {@code Context} (trace ids, security, MDC values)
     * visible to the task, for fire-and-forget work started inside a request:
     *
     * <pre>{@code
     * Mono<Order> createOrder(Order order) {
     *     return saveOrder(order).flatMap(saved -> Mono.deferContextual(context -> {
     *         background.spawn(sendNotification(saved), context);     // sees the request's trace id
     *         return Mono.just(saved);
     *     }));
     * }
     * }</pre>
     *
     * <p>A {@link io.github.reactorpatterns.time.Deadline} in {@code context} is not passed on: a background task
     * outlives the request that spawned it by design, and the request's deadline would cancel it as soon as the
     * response is due. Bound the task itself ({@code Deadline.within(...)} inside it, or {@code timeout}) if it needs
     * a limit. Everything else in {@code context} is passed on unchanged.
     *
     * @param task the task to run in the background
     * @param context the context the task sees, such as the one {@code Mono.deferContextual} hands over
     * @return a handle that cancels the task
     * @throws NullPointerException if {@code task} or {@code context} is null
     * @throws IllegalStateException if {@link #shutdown()}, {@link #drain(Duration)} or {@link #close()} has begun
     */
    public Disposable spawn(Publisher<?> task, ContextView context) {
        Objects.requireNonNull(task, "task");
        return spawnOrThrow(task, withoutDeadline(Objects.requireNonNull(context, "context")));
    }

    /**
     * Like {@link #spawn(Publisher)}, but reports a refusal by its result instead of an exception: once
     * {@link #shutdown()}, {@link #drain(Duration)} or {@link #close()} has begun, the task is not subscribed and the
     * result is empty. For code that may run while the application shuts down (a request handled during a graceful
     * shutdown), where a notification that cannot start any more is expected, not a bug.
     *
     * @param task the task to run in the background
     * @return a handle that cancels the task, or empty if the registry no longer accepts tasks
     * @throws NullPointerException if {@code task} is null
     */
    public Optional<Disposable> trySpawn(Publisher<?> task) {
        Objects.requireNonNull(task, "task");
        return Optional.ofNullable(trySpawnIn(task, Context.empty()));
    }

    /**
     * {@link #trySpawn(Publisher)} with the spawner's {@code Context}, as {@link #spawn(Publisher, ContextView)}
     * passes it on (without its {@link io.github.reactorpatterns.time.Deadline}).
     *
     * @param task the task to run in the background
     * @param context the context the task sees
     * @return a handle that cancels the task, or empty if the registry no longer accepts tasks
     * @throws NullPointerException if {@code task} or {@code context} is null
     */
    public Optional<Disposable> trySpawn(Publisher<?> task, ContextView context) {
        Objects.requireNonNull(task, "task");
        return Optional.ofNullable(trySpawnIn(task, withoutDeadline(Objects.requireNonNull(context, "context"))));
    }

    private Disposable spawnOrThrow(Publisher<?> task, Context context) {
        Disposable spawned = trySpawnIn(task, context);
        if (spawned == null) {
            throw new IllegalStateException("spawn after shutdown: the BackgroundTasks no longer accepts tasks");
        }
        return spawned;
    }

    private @Nullable Disposable trySpawnIn(Publisher<?> task, Context context) {
        Task subscriber = new Task(context);
        synchronized (lock) {
            if (closed) {
                return null;
            }
            tasks.add(subscriber);
        }
        task.subscribe(subscriber);
        return subscriber;
    }

    /** The context without any Deadline: a background task outlives the request that spawned it. */
    private static Context withoutDeadline(ContextView context) {
        if (context.isEmpty()) {
            return Context.empty();
        }
        boolean hasDeadline = context.stream().anyMatch(entry -> entry.getValue() instanceof Deadline);
        if (!hasDeadline) {
            return Context.of(context);
        }
        Map<Object, Object> kept = new LinkedHashMap<>();
        context.stream()
                .filter(entry -> !(entry.getValue() instanceof Deadline))
                .forEach(entry -> kept.put(entry.getKey(), entry.getValue()));
        return Context.of(kept);
    }

    /**
     * The number of spawned tasks that have not ended yet.
     *
     * @return the number of running tasks
     */
    public int active() {
        synchronized (lock) {
            return tasks.size();
        }
    }

    /**
     * The number of spawned tasks that completed by themselves, without error.
     *
     * @return the count since creation
     */
    public long finished() {
        return finished;
    }

    /**
     * The number of spawned tasks that failed (each failure went to the failure handler).
     *
     * @return the count since creation
     */
    public long failed() {
        return failed;
    }

    /**
     * The number of spawned tasks that were cancelled before they ended by themselves: through the
     * {@code Disposable} that {@link #spawn(Publisher)} returned, by {@link #shutdown()} or {@link #close()}, or by
     * {@link #drain(Duration)} after its grace period. Every spawned task ends in exactly one of {@link #finished()},
     * {@link #failed()} and {@code cancelled()}, or still counts in {@link #active()}.
     *
     * @return the count since creation
     */
    public long cancelled() {
        return cancelled;
    }

    /**
     * Stops accepting tasks, cancels every running task, and completes when each one's cancellation has finished:
     * a Python {@code TaskManager.shutdown()} ({@code task.cancel()} for all, then
     * {@code gather(*tasks, return_exceptions=True)}).
     *
     * <p>Completes at once if nothing runs. Idempotent: every subscription completes when the registry is empty and
     * closed. Cancelling a subscription does not stop the shutdown. Never errors. Lazy: nothing happens until
     * subscription.
     *
     * @return a {@code Mono} that completes when every task has ended
     */
    public Mono<Void> shutdown() {
        return Mono.defer(() -> {
            cancelAll();
            return terminated.asMono();
        });
    }

    /**
     * Stops accepting tasks, waits up to {@code grace} for the running ones to end by themselves, then cancels the
     * rest and completes when their cancellation has finished.
     *
     * <p>Tasks that end within {@code grace} are never cancelled; only the late ones are. A grace of zero is
     * {@link #shutdown()}. The grace period is timed on the scheduler given to
     * {@link #create(Consumer, Scheduler)}, else on {@link Schedulers#parallel()} looked up at subscription.
     * Cancelling the subscription stops the wait (no task is cancelled then) but not the closing. Never errors.
     * Lazy: nothing happens until subscription.
     *
     * @param grace how long the tasks may go on, {@code >= 0}
     * @return a {@code Mono} that completes when every task has ended
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Mono<Void> drain(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace >= 0 required but it was " + grace);
        }
        return Mono.defer(() -> {
            closeForSpawn();
            Scheduler timer = scheduler != null ? scheduler : Schedulers.parallel();
            return terminated.asMono().timeout(grace, shutdown(), timer);
        });
    }

    /**
     * Cancels every running task and stops accepting new ones, for {@link AutoCloseable} and Spring's
     * {@code destroyMethod}. Does not block: it returns once every task was cancelled, which for tasks that clean
     * up on the cancelling thread means their cleanup has run; subscribe to {@link #shutdown()} to wait for the rest.
     * Idempotent.
     */
    @Override
    public void close() {
        cancelAll();
    }

    private void closeForSpawn() {
        synchronized (lock) {
            closed = true;
        }
        signalTerminatedIfEmpty();
    }

    private void cancelAll() {
        List<Task> toCancel;
        synchronized (lock) {
            closed = true;
            toCancel = new ArrayList<>(tasks);
        }
        for (Task task : toCancel) {
            task.dispose();
        }
        signalTerminatedIfEmpty();
    }

    private void taskEnded(Task task, @Nullable Throwable error, boolean wasCancelled) {
        synchronized (lock) {
            tasks.remove(task);
            if (wasCancelled) {
                cancelled++;
            } else if (error != null) {
                failed++;
            } else {
                finished++;
            }
        }
        if (error != null) {
            try {
                onFailure.accept(error);
            } catch (Throwable t) {
                LOG.error("BackgroundTasks onFailure threw", t);
            }
        }
        signalTerminatedIfEmpty();
    }

    private void signalTerminatedIfEmpty() {
        synchronized (lock) {
            if (!closed || !tasks.isEmpty() || terminatedSignalled) {
                return;
            }
            terminatedSignalled = true;
        }
        terminated.emitEmpty(Sinks.EmitFailureHandler.FAIL_FAST);
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "BackgroundTasks[active=" + tasks.size() + (closed ? ", closed]" : "]");
        }
    }

    private static void logFailure(Throwable error) {
        LOG.error("Background task failed", error);
    }

    /** Subscribes one task; removes it from the registry exactly once, after any terminal signal or cancel. */
    private final class Task extends RunOnceSubscriber<Object> {

        private final Context context;

        Task(Context context) {
            this.context = context;
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        protected void hookOnEnd(@Nullable Throwable error, boolean cancelled) {
            taskEnded(this, error, cancelled);
        }
    }
}
