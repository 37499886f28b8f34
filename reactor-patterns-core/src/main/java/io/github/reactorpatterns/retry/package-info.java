/**
 * Retries with exponential backoff that honour server-directed delays ({@code Retry-After}), a total-time cap, the
 * caller's {@link io.github.reactorpatterns.time.Deadline} and a retry budget shared across pipelines: the reactive
 * form of the {@code retry_async} pattern, built as a {@link reactor.util.retry.Retry} for {@code retryWhen}.
 */
@NullMarked
package io.github.reactorpatterns.retry;

import org.jspecify.annotations.NullMarked;
