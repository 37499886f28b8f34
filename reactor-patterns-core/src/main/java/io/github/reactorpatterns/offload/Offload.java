package io.github.reactorpatterns.offload;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs blocking and CPU-bound work off the non-blocking threads, and bridges back from blocking code: the reactive
 * forms of {@code asyncio.to_thread}, {@code loop.run_in_executor(ProcessPoolExecutor(...), ...)} and a Python
 * {@code sync_wrapper}.
 *
 * <pre>{@code
 * Mono<String> text = Offload.blocking(() -> Files.readString(path));          // asyncio.to_thread
 * Mono<Digest> digest = Offload.cpu(() -> sha256(bytes));                       // run_in_executor(process pool)
 * User user = Offload.await(client.user(id), Duration.ofSeconds(5));            // sync_wrapper, blocking callers only
 * }</pre>
 *
 * <h2>Cancellation of running work</h2>
 * Cancelling the {@code Mono} of {@link #blocking(Callable)} or {@link #cpu(Callable)} before the task starts
 * removes it from the queue: it never runs. Cancelling while it runs <b>interrupts</b> the thread running it (Reactor
 * cancels the worker's {@code Future} with {@code cancel(true)}): a task blocked in an interruptible call
 * ({@code Thread.sleep}, {@code Object.wait}, a latch, an interruptible channel) gets an
 * {@code InterruptedException}; a task that ignores interrupts runs to the end, and its result is dropped. Either
 * way nothing reaches the cancelled subscriber. Java cannot stop a thread that does not cooperate, so make
 * long-running tasks check {@link Thread#isInterrupted()}.
 *
 * <p>The methods are thread-safe and may be called from any thread.
 */
public final class Offload {

    /**
     * How many tasks may wait per thread of the CPU scheduler before {@link #cpu(Callable)} fails with a
     * {@link java.util.concurrent.RejectedExecutionException}: {@value}, as Reactor's bounded-elastic default.
     */
    public static final int DEFAULT_CPU_QUEUE_CAPACITY = 100_000;

    private Offload() {}

    /**
     * Runs a blocking task on {@link Schedulers#boundedElastic()} ({@code asyncio.to_thread}): the returned
     * {@code Mono} calls {@code task} on a bounded-elastic thread at each subscription and emits its result.
     *
     * <p>A {@code null} result completes the {@code Mono} empty; an exception thrown by the task is its error,
     * unchanged (checked ones included). Lazy: nothing runs before subscription. Cancellation: see the class
     * documentation (a running task is interrupted). This is exactly
     * {@code Mono.fromCallable(task).subscribeOn(Schedulers.boundedElastic())}, named for what it is for.
     *
     * @param task the blocking work, such as a file read or a JDBC call
     * @param <T> the type of the result
     * @return a {@code Mono} of the task's result
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> Mono<T> blocking(Callable<? extends @Nullable T> task) {
        Objects.requireNonNull(task, "task");
        return Mono.<T>fromCallable(task).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Runs a CPU-bound task on a shared scheduler with one thread per core (a process pool for
     * {@code run_in_executor}): at most {@link Runtime#availableProcessors()} such tasks run at once, the rest wait
     * in a bounded queue ({@link #DEFAULT_CPU_QUEUE_CAPACITY} per thread; beyond it the {@code Mono} fails with a
     * {@link java.util.concurrent.RejectedExecutionException}).
     *
     * <p>Why not {@link Schedulers#boundedElastic()}: it is sized for waiting (ten threads per core). CPU work
     * does not wait; on more threads than cores it only adds context switches and cache misses, finishes no
     * sooner, and crowds out the blocking I/O that shares that pool. Why not {@link Schedulers#parallel()}: its
     * threads run Reactor's timers and non-blocking pipelines, which a long computation would stall. The threads
     * are daemons named {@code reactor-patterns-cpu-*}, created on first use and retired after 60 s idle.
     *
     * <p>A {@code null} result completes the {@code Mono} empty; an exception thrown by the task is its error,
     * unchanged. Lazy: nothing runs before subscription. Cancellation: see the class documentation.
     *
     * @param task the CPU-bound work, such as hashing, parsing or compression
     * @param <T> the type of the result
     * @return a {@code Mono} of the task's result
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> Mono<T> cpu(Callable<? extends @Nullable T> task) {
        Objects.requireNonNull(task, "task");
        return Mono.<T>fromCallable(task).subscribeOn(CpuScheduler.INSTANCE);
    }

    /**
     * Blocks the calling thread until {@code mono} terminates (a Python {@code sync_wrapper}, for blocking code
     * that calls reactive code): subscribes, waits, and returns the value, or {@code null} if {@code mono}
     * completed empty.
     *
     * <p>Refuses to run on a non-blocking thread ({@link Schedulers#isInNonBlockingThread()}: Reactor's parallel
     * and single schedulers, Netty event loops), where blocking would stall every pipeline sharing that thread:
     * it throws an {@link IllegalStateException} before subscribing. On such a thread, compose the {@code Mono}
     * instead.
     *
     * <p>Otherwise it behaves as {@link Mono#block(Duration)}: an error of {@code mono} is thrown unchanged if it
     * is unchecked, and wrapped in a {@code RuntimeException} (the original as its cause) if it is checked. If
     * {@code timeout} passes first, or the waiting thread is interrupted, {@code mono} is cancelled and a
     * {@code RuntimeException} is thrown ({@code IllegalStateException} for the timeout).
     *
     * @param mono the reactive work to wait for
     * @param timeout the longest time to wait, greater than zero
     * @param <T> the type of the value
     * @return the value, or {@code null} if {@code mono} completed empty
     * @throws NullPointerException if {@code mono} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     * @throws IllegalStateException if called on a non-blocking thread, or if the timeout passed
     */
    public static <T> @Nullable T await(Mono<T> mono, Duration timeout) {
        Objects.requireNonNull(mono, "mono");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout > 0 required but it was " + timeout);
        }
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("Offload.await would block the non-blocking thread "
                    + Thread.currentThread().getName() + "; compose the Mono instead of waiting for it");
        }
        return mono.block(timeout);
    }

    /** The CPU scheduler, created on first use. */
    private static final class CpuScheduler {

        static final Scheduler INSTANCE = Schedulers.newBoundedElastic(
                Runtime.getRuntime().availableProcessors(),
                DEFAULT_CPU_QUEUE_CAPACITY,
                "reactor-patterns-cpu",
                60,
                true);

        private CpuScheduler() {}
    }
}
