/**
 * Bounded fan-out and structured concurrency: the reactive forms of {@code asyncio.gather} with a semaphore,
 * {@code gather(..., return_exceptions=True)} and {@code asyncio.TaskGroup}.
 */
@NullMarked
package io.github.reactorpatterns.concurrent;

import org.jspecify.annotations.NullMarked;
