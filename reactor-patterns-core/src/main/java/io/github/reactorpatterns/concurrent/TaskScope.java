package io.github.reactorpatterns.concurrent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.reactivestreams.Publisher;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * Structured concurrency: the reactive {@code asyncio.TaskGroup}. A scope runs a body and the tasks the body forks,
 * and ends only when all of them have ended; the first failure cancels everything still running, and the scope then
 * fails with a {@link TaskGroupException} holding every failure.
 *
 * <pre>{@code
 * // async with asyncio.TaskGroup() as tg: tasks = [tg.create_task(fetch(u)) for u in urls]
 * Mono<List<Page>> pages = TaskScope.all(urls.stream().map(this::fetch).toList());
 *
 * Mono<Void> report = TaskScope.open(scope -> {
 *     Mono<User> user = scope.fork(loadUser(id));            // starts now
 *     Mono<List<Order>> orders = scope.fork(loadOrders(id)); // starts now, runs alongside
 *     return Mono.zip(user, orders).flatMap(t -> render(t.getT1(), t.getT2()));
 * });
 * }</pre>
 *
 * <p>How it differs from {@code Mono.zip}/{@code Flux.merge}: those also cancel the others on the first error, but
 * propagate only that error and drop the errors of siblings that fail at the same time; a scope keeps them all, and
 * lets the body fork more tasks while it runs, with the guarantee that none outlives the scope.
 *
 * <p>Semantics of a scope ({@link #open}):
 * <ul>
 *     <li>Lazy: nothing runs before subscription; each subscription runs the body again in a new scope.</li>
 *     <li>A task is subscribed the moment it is {@linkplain #fork forked}, while the body is still running, and is
 *     requested everything. The scope's {@code Mono} completes when the body and every fork have terminated.</li>
 *     <li>Failure anywhere (the body or a fork) cancels the body and then every running fork, in the order they were
 *     forked; the scope then fails with a {@link TaskGroupException} holding, in order of occurrence, every error
 *     that the body and the forks signalled before they were cancelled: a sibling that fails on another thread
 *     before its cancellation reaches it, or that fails while being cancelled (cleanup that throws), is reported
 *     too. An error that loses the race against its cancellation goes to {@code Hooks.onErrorDropped}, never
 *     nowhere. An error that reaches the body through a fork's handle is the same instance and is reported once;
 *     the {@link CancellationException} of a handle whose fork the shutdown cancelled is not reported.</li>
 *     <li>Cancelling the scope's subscriber cancels the body and every fork, and emits nothing.</li>
 *     <li>Forks and the body see the subscriber's {@link reactor.util.context.Context}, so a deadline set with
 *     {@code contextWrite} reaches them.</li>
 * </ul>
 *
 * <p>Thread safety: {@link #fork} may be called from any thread, concurrently, while the scope is open.
 */
public final class TaskScope {

    private static final int OPEN = 0;
    private static final int FAILED = 1;
    private static final int CANCELLED = 2;

    private final MonoSink<Void> sink;
    private final Context context;
    /**
     * The call of the body function, the body's publisher and the forks that have not ended; 0 once the scope ended,
     * and then nothing may be added.
     */
    private final AtomicInteger active = new AtomicInteger(2);

    private final ScopeMember.Owner owner = new Owner();
    /** The subscriber of the body's publisher. */
    private final ScopeMember<Object> main = new ScopeMember<>(owner, null);
    /** The body and the running forks, in the order they started; guarded by itself. */
    private final Set<ScopeMember<?>> members = new LinkedHashSet<>();
    /** Guarded by itself, as are {@link #state} changes and {@link #ended}. */
    private final List<Throwable> errors = new ArrayList<>();

    private volatile int state = OPEN;
    private boolean ended;

    private TaskScope(MonoSink<Void> sink) {
        this.sink = sink;
        this.context = Context.of(sink.contextView());
    }

    /**
     * Runs {@code tasks} all at once in a scope and collects their results in the order of the collection: the
     * reactive {@code TaskGroup} with one {@code create_task} per element.
     *
     * <p>The first failure cancels every other task, and the {@code Mono} fails with a {@link TaskGroupException}
     * holding every error that occurred before the others were cancelled. {@code List} cannot hold null, so a task
     * that completes empty contributes no element and the list is shorter than {@code tasks}; map a task to
     * {@code Optional} first ({@code task.map(Optional::of).defaultIfEmpty(Optional.empty())}) when every position
     * matters. No tasks give an empty list. Cancelling the returned {@code Mono} cancels every task.
     * Each subscription subscribes every task again. There is no concurrency limit: use
     * {@link Gather#all(Iterable, int, Function)} for that.
     *
     * @param tasks the tasks; the collection is copied at call time
     * @param <R> the type of the results
     * @return a {@code Mono} of the results, in the order of {@code tasks}
     * @throws NullPointerException if {@code tasks} is or contains null
     */
    public static <R> Mono<List<R>> all(Collection<? extends Mono<? extends R>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<Mono<? extends R>> copy = new ArrayList<>(tasks.size());
        for (Mono<? extends R> task : tasks) {
            copy.add(Objects.requireNonNull(task, "tasks contains null"));
        }
        return Mono.defer(() -> {
            List<Mono<R>> handles = new ArrayList<>(copy.size());
            Mono<Void> scope = open(s -> {
                for (Mono<? extends R> task : copy) {
                    handles.add(s.fork(task));
                }
                return Mono.empty();
            });
            return scope.then(Flux.concat(handles).collectList());
        });
    }

    /**
     * Opens a scope on subscription, runs {@code body} in it, and completes when the body's publisher and every task
     * forked with {@link #fork} have terminated: {@code async with asyncio.TaskGroup() as tg}.
     *
     * <p>{@code body} is called once per subscription with the new scope; it may fork tasks right away, and the
     * publisher it returns is subscribed (requesting everything, ignoring the values) and may fork more while it
     * runs. See the class documentation for failure and cancellation. A {@code body} that throws or returns null
     * fails the scope like an error of the body (with a {@link NullPointerException} for null).
     *
     * @param body builds the body of the scope
     * @return a {@code Mono} that completes when everything in the scope has completed, or fails with a
     *         {@link TaskGroupException}
     * @throws NullPointerException if {@code body} is null
     */
    public static Mono<Void> open(Function<TaskScope, ? extends Publisher<?>> body) {
        Objects.requireNonNull(body, "body");
        return Mono.create(sink -> new TaskScope(sink).run(body));
    }

    /**
     * Starts {@code task} in this scope now, and returns a handle to its result.
     *
     * <p>The task is subscribed once, immediately; the scope does not end before it has terminated, its failure
     * fails the scope, and the scope's failure or cancellation cancels it. The handle replays the task's result
     * (value, empty completion or error) to every subscriber, late ones included, and never re-runs the task;
     * cancelling a subscription to the handle does not cancel the task. If the task is cancelled, the handle fails
     * with a {@link CancellationException}. A fork made while the scope is shutting down after a failure or a
     * cancellation is not started and its handle fails with a {@link CancellationException}.
     *
     * @param task the task to run
     * @param <R> the type of the result
     * @return a handle that replays the task's result
     * @throws NullPointerException if {@code task} is null
     * @throws IllegalStateException if the scope has already ended
     */
    public <R> Mono<R> fork(Mono<? extends R> task) {
        Objects.requireNonNull(task, "task");
        for (; ; ) {
            int now = active.get();
            if (now == 0) {
                throw new IllegalStateException("fork after the scope ended");
            }
            if (active.compareAndSet(now, now + 1)) {
                break;
            }
        }
        Sinks.One<R> result = Sinks.one();
        ScopeMember<R> member = new ScopeMember<>(owner, result);
        if (state == OPEN) {
            register(member);
            task.subscribe(member);
        }
        // A failure or cancel that began before the member was registered could not cancel it: do it here.
        if (state != OPEN) {
            member.cancel();
        }
        return result.asMono();
    }

    private void run(Function<TaskScope, ? extends Publisher<?>> body) {
        sink.onCancel(this::cancel);
        register(main);
        try {
            Publisher<?> publisher = Objects.requireNonNull(body.apply(this), "body returned null");
            publisher.subscribe(main);
        } catch (Throwable error) {
            Exceptions.throwIfJvmFatal(error);
            if (!fail(error)) {
                Operators.onErrorDropped(error, context);
            }
            main.cancel();
        } finally {
            // the scope may end only once the body function has returned, even if everything else already ended
            release();
        }
    }

    /** Records a failure and, for the first one, cancels everything; false if the scope no longer takes any. */
    private boolean fail(Throwable error) {
        if (error instanceof ScopeMember.ForkCancelledException && state != OPEN) {
            // A handle of a fork this shutdown cancelled, seen by the body or another fork: a consequence, not a cause.
            return true;
        }
        boolean first;
        synchronized (errors) {
            if (ended || state == CANCELLED) {
                return false;
            }
            if (errors.stream().noneMatch(known -> known == error)) {
                errors.add(error);
            }
            first = state == OPEN;
            state = FAILED;
        }
        if (first) {
            cancelAll();
        }
        return true;
    }

    private void cancel() {
        synchronized (errors) {
            state = CANCELLED;
        }
        cancelAll();
    }

    /** Cancels the body first, then the forks in the order they started. */
    private void cancelAll() {
        ScopeMember<?>[] running;
        synchronized (members) {
            running = members.toArray(new ScopeMember<?>[0]);
        }
        for (ScopeMember<?> member : running) {
            member.cancel();
        }
    }

    private void register(ScopeMember<?> member) {
        synchronized (members) {
            members.add(member);
        }
    }

    private void ended(ScopeMember<?> member) {
        synchronized (members) {
            members.remove(member);
        }
        release();
    }

    private void release() {
        if (active.decrementAndGet() == 0) {
            int last;
            List<Throwable> failures;
            synchronized (errors) {
                ended = true;
                last = state;
                failures = List.copyOf(errors);
            }
            if (last == FAILED) {
                sink.error(new TaskGroupException(failures));
            } else if (last == OPEN) {
                sink.success();
            }
        }
    }

    @Override
    public String toString() {
        return "TaskScope[active=" + active.get() + ", state="
                + (state == OPEN ? "open" : state == FAILED ? "failed" : "cancelled") + "]";
    }

    /** The scope as its members see it. */
    private final class Owner implements ScopeMember.Owner {

        @Override
        public boolean failed(Throwable error) {
            return fail(error);
        }

        @Override
        public void ended(ScopeMember<?> member) {
            TaskScope.this.ended(member);
        }

        @Override
        public Context context() {
            return context;
        }
    }
}
