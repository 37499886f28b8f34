/**
 * Bounded work queues: {@link io.github.reactorpatterns.queue.WorkQueue}, the reactive form of
 * {@code asyncio.Queue(maxsize)} with N workers, {@code task_done}/{@code join} and a shutdown that hands back the
 * jobs that never started. The producer/consumer pipeline as a {@code transform} operator is
 * {@link io.github.reactorpatterns.concurrent.Gather#pipeline(int, int, java.util.function.Function)}.
 */
@NullMarked
package io.github.reactorpatterns.queue;

import org.jspecify.annotations.NullMarked;
