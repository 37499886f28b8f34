/**
 * Bounded work queues: {@link io.github.reactorpatterns.queue.WorkQueue}, the reactive form of
 * {@code asyncio.Queue(maxsize)} with N workers, {@code task_done}/{@code join} and a shutdown that hands back the
 * jobs that never started, and {@link io.github.reactorpatterns.queue.WorkQueue#pipeline(int, int,
 * java.util.function.Function)}, the producer/consumer pipeline as a {@code transform} operator.
 */
@NullMarked
package io.github.reactorpatterns.queue;

import org.jspecify.annotations.NullMarked;
