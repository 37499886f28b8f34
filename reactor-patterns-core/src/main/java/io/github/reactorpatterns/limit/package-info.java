/**
 * Limits shared across pipelines: an asynchronous semaphore ({@code asyncio.Semaphore}), an asynchronous mutex and
 * per-key mutexes ({@code asyncio.Lock}), and a token-bucket rate limiter. None of them ever blocks a thread: a
 * caller that must wait gets a {@code Mono} that completes when its turn comes, and cancelling that {@code Mono}
 * leaves the queue at once and gives back whatever it held.
 */
@NullMarked
package io.github.reactorpatterns.limit;

import org.jspecify.annotations.NullMarked;
