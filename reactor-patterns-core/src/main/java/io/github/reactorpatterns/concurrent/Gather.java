package io.github.reactorpatterns.concurrent;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Bounded fan-out: the reactive {@code asyncio.gather} with a {@code Semaphore(n)}. Each operator runs one task per
 * input element, at most {@code concurrency} of them subscribed at once, and hands the results downstream.
 *
 * <pre>{@code
 * Flux<User> users = ids.transform(Gather.ordered(8, this::loadUser));            // input order
 * Flux<Outcome<User>> all = ids.transform(Gather.settled(8, this::loadUser));     // return_exceptions=True
 * Flux<Outcome<User>> inTime = ids.transform(Gather.settledWithin(Duration.ofSeconds(2), 8, this::loadUser));
 * Flux<Outcome<Page>> pages = urls.transform(Gather.pipeline(100, 5, this::fetch));  // completion order
 * Mono<List<User>> list = Gather.all(idList, 8, this::loadUser);                  // await gather(...)
 * }</pre>
 *
 * <p>{@link #ordered} is {@link Flux#flatMapSequential(Function, int, int)} and {@link #unordered} is
 * {@link Flux#flatMap(Function, int)}, with the arguments checked at call time and the semantics below written
 * down; they add no operator of their own, so Reactor's fast paths (a {@code Mono.just} task is fused, not
 * subscribed) still apply. {@link #settled} turns every task into exactly one {@link Outcome}, {@link #settledWithin}
 * does so under a time limit, and {@link #pipeline} in completion order with a bounded read-ahead.
 *
 * <p>Common to every operator here:
 * <ul>
 *     <li>Lazy: nothing runs before subscription; each subscription calls {@code task} afresh.</li>
 *     <li>Backpressure: the source is requested {@code concurrency} elements up front and one more each time a
 *     task's result has been passed downstream, so a slow consumer holds back the source and the tasks too; at
 *     most {@code concurrency} finished results wait for demand (or, in input order, for the results before
 *     them).</li>
 *     <li>Cancelling downstream cancels the source and every running task; pending elements are never started.</li>
 *     <li>An error of the source cancels every running task and is propagated unchanged. As in {@code flatMap}, two
 *     errors that race on different threads may reach downstream combined ({@code Exceptions.multiple}; split them
 *     with {@link Exceptions#unwrapMultiple(Throwable)}); use {@link TaskScope} to be told of every failure.</li>
 *     <li>Thread safety: the returned functions are stateless and may be shared and applied any number of times;
 *     {@code task} may be called from the thread that emits each source element.</li>
 * </ul>
 */
public final class Gather {

    private Gather() {}

    /**
     * Runs {@code task} for every element, at most {@code concurrency} at once, and emits the results in the order of
     * the inputs. The fail-fast {@code gather}: the first error of a task cancels every running task, starts no
     * pending one, and is propagated unchanged.
     *
     * <p>Same as {@code flux.flatMapSequential(task, concurrency, 1)}: the prefetch of one fits a {@code Mono} task,
     * which emits at most one value, and saves a 32-slot queue per running task. A task that completes empty emits
     * nothing for its input (the next result follows). A {@code task} that throws, or returns null, fails the stream
     * with that exception (a {@link NullPointerException} for null), like an error of the task.
     *
     * @param concurrency how many tasks may be subscribed at once, at least 1
     * @param task builds the task for one input element; called once per element, when it may start
     * @param <T> the type of the input elements
     * @param <R> the type of the results
     * @return a function for {@link Flux#transform(Function)}
     * @throws IllegalArgumentException if {@code concurrency} is less than 1
     * @throws NullPointerException if {@code task} is null
     */
    public static <T, R> Function<Flux<T>, Flux<R>> ordered(
            int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
        checkConcurrency(concurrency);
        Objects.requireNonNull(task, "task");
        return source -> source.flatMapSequential(task, concurrency, 1);
    }

    /**
     * Runs {@code task} for every element, at most {@code concurrency} at once, and emits the results as they
     * complete. The first error of a task cancels every running task, starts no pending one, and is propagated
     * unchanged.
     *
     * <p>Same as {@code flux.flatMap(task, concurrency, 1)}: a task that completes empty emits nothing for its input;
     * a {@code task} that throws, or returns null, fails the stream with that exception (a
     * {@link NullPointerException} for null), like an error of the task.
     *
     * @param concurrency how many tasks may be subscribed at once, at least 1
     * @param task builds the task for one input element; called once per element, when it may start
     * @param <T> the type of the input elements
     * @param <R> the type of the results
     * @return a function for {@link Flux#transform(Function)}
     * @throws IllegalArgumentException if {@code concurrency} is less than 1
     * @throws NullPointerException if {@code task} is null
     */
    public static <T, R> Function<Flux<T>, Flux<R>> unordered(
            int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
        checkConcurrency(concurrency);
        Objects.requireNonNull(task, "task");
        return source -> source.flatMap(task, concurrency, 1);
    }

    /**
     * Runs {@code task} for every element, at most {@code concurrency} at once, and emits exactly one
     * {@link Outcome} per input, in the order of the inputs: {@code gather(..., return_exceptions=True)}.
     *
     * <p>A failing task never fails the stream and never cancels its siblings: its error becomes an
     * {@link Outcome#failure(Throwable) Outcome.Failure} holding the error unchanged. A task that completes empty
     * becomes {@link Outcome#empty()}. A {@code task} function that throws, or returns null, becomes a failure for
     * that input (a {@link NullPointerException} for null). JVM-fatal errors (such as {@code OutOfMemoryError}) are
     * not captured. An error of the source itself still fails the stream, after cancelling the running tasks; so does
     * cancelling downstream.
     *
     * @param concurrency how many tasks may be subscribed at once, at least 1
     * @param task builds the task for one input element; called once per element, when it may start
     * @param <T> the type of the input elements
     * @param <R> the type of the results
     * @return a function for {@link Flux#transform(Function)}
     * @throws IllegalArgumentException if {@code concurrency} is less than 1
     * @throws NullPointerException if {@code task} is null
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<R>>> settled(
            int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
        checkConcurrency(concurrency);
        Objects.requireNonNull(task, "task");
        Function<T, Mono<Outcome<R>>> settle = input -> settle(task, input);
        return source -> source.flatMapSequential(settle, concurrency, 1);
    }

    /**
     * {@link #settled} under a time limit: runs {@code task} for every element, at most {@code concurrency} at once,
     * and emits exactly one {@link Outcome} per input, in the order of the inputs, where every task that has not
     * finished {@code budget} after subscription is reported as a {@link DeadlineExceededException} failure. The
     * settle-all form of {@code asyncio.wait(tasks, timeout=...)}: what finished in time is kept, what did not is
     * said so, position by position.
     *
     * <pre>{@code
     * Flux<Outcome<User>> users = ids.transform(Gather.settledWithin(Duration.ofSeconds(2), 8, this::loadUser));
     * }</pre>
     *
     * <p>How it differs from {@code settled(...)} followed by {@code Deadline.withinFlux(budget)}: that cancels the
     * whole stream at the deadline, so results that finished in time but wait behind a slow task (input order) are
     * lost with it, and the inputs not yet started get no outcome at all. Here each task runs under a
     * {@link Deadline} that ends at the same instant, {@code budget} after subscription (so nested code sees it
     * through the {@code Context}: a retry policy does not start a retry that cannot finish, an HTTP call is cut):
     * <ul>
     *     <li>a task still running at the deadline is cancelled and settles as a
     *     {@link DeadlineExceededException} whose {@link DeadlineExceededException#budget() budget} is
     *     {@code budget};</li>
     *     <li>an input that reaches the operator after the deadline settles the same way at once, without calling
     *     {@code task}; so the stream ends soon after the deadline for a source that can deliver its remaining inputs
     *     at once (a list, a range). A slow source is not cut: bound it too if it may outlast the deadline;</li>
     *     <li>a task that fails for another reason before the deadline settles as that failure, and one that
     *     finishes settles as its result, whenever downstream gets to it.</li>
     * </ul>
     * If the subscriber's {@code Context} already carries an earlier {@link Deadline}, that one is kept for the
     * tasks (as {@link Deadline#within(Duration)} does) and the tasks it cuts settle with its exception. Everything
     * else (a throwing or null-returning {@code task}, JVM-fatal errors, errors of the source, backpressure,
     * cancellation) is as for {@link #settled}. Time is read from {@link Schedulers#parallel()} at subscription, so
     * {@code StepVerifier.withVirtualTime} controls it.
     *
     * @param budget the time from subscription until the deadline, greater than zero
     * @param concurrency how many tasks may be subscribed at once, at least 1
     * @param task builds the task for one input element; called once per element that arrives before the deadline,
     *     when it may start
     * @param <T> the type of the input elements
     * @param <R> the type of the results
     * @return a function for {@link Flux#transform(Function)}
     * @throws NullPointerException if {@code budget} or {@code task} is null
     * @throws IllegalArgumentException if {@code budget} is not positive or {@code concurrency} is less than 1
     */
    public static <T, R> Function<Flux<T>, Flux<Outcome<R>>> settledWithin(
            Duration budget, int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("budget > 0 required but it was " + budget);
        }
        checkConcurrency(concurrency);
        Objects.requireNonNull(task, "task");
        long budgetNanos = saturatedNanos(budget);
        return source -> Flux.defer(() -> {
            Scheduler clock = Schedulers.parallel();
            long start = clock.now(TimeUnit.NANOSECONDS);
            long expiresAt = start + budgetNanos < start ? Long.MAX_VALUE : start + budgetNanos;
            Function<T, Mono<Outcome<R>>> settle = input -> Mono.defer(() -> {
                long left = expiresAt - clock.now(TimeUnit.NANOSECONDS);
                if (left <= 0) {
                    return Mono.just(Outcome.failure(new DeadlineExceededException(budget)));
                }
                return settleWithin(task, input, Duration.ofNanos(left), budget, clock, expiresAt);
            });
            return source.flatMapSequential(settle, concurrency, 1);
        });
    }

    /**
     * The producer/consumer pipeline of {@code asyncio.Queue} with N workers ({@code run_pipeline(urls,
     * num_workers)}) as an operator: each element of the source is a job, {@code workers} jobs run at once, and each
     * job's result arrives as an {@link Outcome}, so one failing job never ends the stream.
     *
     * <pre>{@code
     * Flux<Outcome<Page>> pages = urls.transform(Gather.pipeline(100, 5, url -> fetch(url)));
     * }</pre>
     *
     * <p>Unlike {@link #settled}, outcomes arrive in completion order, not source order, and the source is read
     * ahead by at most {@code capacity} jobs: it is requested only as that many free up, and the workers take a new
     * job only as results are consumed, so backpressure runs from the subscriber through the workers to the source.
     * Unlike a bare {@code flatMap(handler, workers)}, errors are settled per job: an error of the job, a
     * {@code handler} that throws or returns null (a {@link NullPointerException}) are each a
     * {@link Outcome.Failure}; JVM-fatal errors are not captured. An error of the source itself ends the stream
     * after the running jobs were cancelled (as in {@code flatMap}). Cancelling the returned {@code Flux} cancels
     * the running jobs and the source. An empty source gives an empty {@code Flux}. Lazy: each subscription starts
     * afresh. For jobs put by many producers, with {@code join} and a shutdown that hands back what never started,
     * use {@link io.github.reactorpatterns.queue.WorkQueue}.
     *
     * @param capacity how many jobs may wait ahead of the workers, {@code > 0}
     * @param workers how many jobs run at once, {@code > 0}
     * @param handler the work for one job
     * @param <J> the type of the jobs
     * @param <R> the type of the results
     * @return a function for {@link Flux#transform(Function)}
     * @throws IllegalArgumentException if {@code capacity} or {@code workers} is not positive
     * @throws NullPointerException if {@code handler} is null
     */
    public static <J, R> Function<Flux<J>, Flux<Outcome<R>>> pipeline(
            int capacity, int workers, Function<? super J, ? extends Mono<? extends R>> handler) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity > 0 required but it was " + capacity);
        }
        if (workers <= 0) {
            throw new IllegalArgumentException("workers > 0 required but it was " + workers);
        }
        Objects.requireNonNull(handler, "handler");
        Function<J, Mono<Outcome<R>>> settle = job -> settle(handler, job);
        return source -> source.limitRate(capacity).flatMap(settle, workers, 1);
    }

    /**
     * Runs {@code task} for every input, at most {@code concurrency} at once, and collects the results in input
     * order: {@code await asyncio.gather(*tasks)} with a semaphore. The first error cancels the other tasks and is
     * propagated unchanged.
     *
     * <p>{@code List} cannot hold null, so a task that completes empty contributes no element and the list is
     * shorter than the inputs; when every position matters use {@link #allSettled}. No inputs give an empty list.
     * The inputs are iterated on subscription, lazily, as tasks finish; an error of the iterator fails the
     * {@code Mono}. Each subscription iterates again and runs every task again.
     *
     * @param inputs the inputs, one task each
     * @param concurrency how many tasks may be subscribed at once, at least 1
     * @param task builds the task for one input
     * @param <T> the type of the inputs
     * @param <R> the type of the results
     * @return a {@code Mono} of the results in input order
     * @throws IllegalArgumentException if {@code concurrency} is less than 1
     * @throws NullPointerException if {@code inputs} or {@code task} is null
     */
    public static <T, R> Mono<List<R>> all(
            Iterable<? extends T> inputs, int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
        Objects.requireNonNull(inputs, "inputs");
        Function<Flux<T>, Flux<R>> gather = ordered(concurrency, task);
        return Flux.<T>fromIterable(inputs).transform(gather).collectList();
    }

    /**
     * Runs {@code task} for every input, at most {@code concurrency} at once, waits for all of them whatever
     * happens, and reports every success and failure in a {@link Settled}: the partial-failure report of
     * {@code gather(..., return_exceptions=True)}.
     *
     * <p>Never fails because of a task (see {@link #settled}); an error of the inputs' iterator still fails the
     * {@code Mono}. No inputs give an empty {@link Settled}. Each subscription runs every task again.
     *
     * @param inputs the inputs, one task each
     * @param concurrency how many tasks may be subscribed at once, at least 1
     * @param task builds the task for one input
     * @param <T> the type of the inputs
     * @param <R> the type of the results
     * @return a {@code Mono} of the settled results, in input order
     * @throws IllegalArgumentException if {@code concurrency} is less than 1
     * @throws NullPointerException if {@code inputs} or {@code task} is null
     */
    public static <T, R> Mono<Settled<R>> allSettled(
            Iterable<? extends T> inputs, int concurrency, Function<? super T, ? extends Mono<? extends R>> task) {
        Objects.requireNonNull(inputs, "inputs");
        Function<Flux<T>, Flux<Outcome<R>>> gather = settled(concurrency, task);
        return Flux.<T>fromIterable(inputs).transform(gather).collectList().map(Settled::of);
    }

    private static <T, R> Mono<Outcome<R>> settle(Function<? super T, ? extends Mono<? extends R>> task, T input) {
        Mono<? extends R> mono;
        try {
            mono = Objects.requireNonNull(task.apply(input), "task returned null");
        } catch (Throwable error) {
            Exceptions.throwIfJvmFatal(error);
            return Mono.just(Outcome.failure(error));
        }
        return Outcome.of(mono);
    }

    @SuppressWarnings("unchecked")
    private static <T, R> Mono<Outcome<R>> settleWithin(
            Function<? super T, ? extends Mono<? extends R>> task,
            T input,
            Duration left,
            Duration budget,
            Scheduler clock,
            long expiresAt) {
        Mono<R> mono;
        try {
            // a Mono<? extends R> is a Mono<R> for every reader
            mono = (Mono<R>) Objects.requireNonNull(task.apply(input), "task returned null");
        } catch (Throwable error) {
            Exceptions.throwIfJvmFatal(error);
            return Mono.just(Outcome.failure(error));
        }
        // The task's own Deadline ends at the shared instant; its exception is replaced by one that names the whole
        // budget. A deadline of the task's own that fired earlier, or a tighter outer one, is left as it is: by the
        // clock, the shared deadline had not passed when it fired.
        return Outcome.of(mono.transform(Deadline.within(left))
                .onErrorMap(
                        DeadlineExceededException.class,
                        e -> clock.now(TimeUnit.NANOSECONDS) - expiresAt >= 0
                                        && e.budget().equals(left)
                                ? new DeadlineExceededException(budget)
                                : e));
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLarge) {
            return Long.MAX_VALUE;
        }
    }

    private static void checkConcurrency(int concurrency) {
        if (concurrency <= 0) {
            throw new IllegalArgumentException("concurrency > 0 required but it was " + concurrency);
        }
    }
}
