package io.github.reactorpatterns.concurrent;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bounded fan-out: the reactive {@code asyncio.gather} with a {@code Semaphore(n)}. Each operator runs one task per
 * input element, at most {@code concurrency} of them subscribed at once, and hands the results downstream.
 *
 * <pre>{@code
 * Flux<User> users = ids.transform(Gather.ordered(8, this::loadUser));            // input order
 * Flux<Outcome<User>> all = ids.transform(Gather.settled(8, this::loadUser));     // return_exceptions=True
 * Mono<List<User>> list = Gather.all(idList, 8, this::loadUser);                  // await gather(...)
 * }</pre>
 *
 * <p>{@link #ordered} is {@link Flux#flatMapSequential(Function, int, int)} and {@link #unordered} is
 * {@link Flux#flatMap(Function, int)}, with the arguments checked at call time and the semantics below written
 * down; they add no operator of their own, so Reactor's fast paths (a {@code Mono.just} task is fused, not
 * subscribed) still apply. {@link #settled} turns every task into exactly one {@link Outcome}.
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

    private Gather() {
    }

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
        }
        catch (Throwable error) {
            Exceptions.throwIfJvmFatal(error);
            return Mono.just(Outcome.failure(error));
        }
        return Outcome.of(mono);
    }

    private static void checkConcurrency(int concurrency) {
        if (concurrency <= 0) {
            throw new IllegalArgumentException("concurrency > 0 required but it was " + concurrency);
        }
    }
}
