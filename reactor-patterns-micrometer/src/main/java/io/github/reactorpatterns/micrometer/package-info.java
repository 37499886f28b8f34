/**
 * Micrometer meters for the library's primitives, without Spring: one
 * {@link io.micrometer.core.instrument.binder.MeterBinder MeterBinder} per primitive
 * ({@link io.github.reactorpatterns.micrometer.AsyncSemaphoreMetrics},
 * {@link io.github.reactorpatterns.micrometer.TokenBucketMetrics},
 * {@link io.github.reactorpatterns.micrometer.RetryPolicyMetrics},
 * {@link io.github.reactorpatterns.micrometer.WorkQueueMetrics},
 * {@link io.github.reactorpatterns.micrometer.BackgroundTasksMetrics} and
 * {@link io.github.reactorpatterns.micrometer.PooledHttpClientMetrics}).
 *
 * <p>Every meter is named {@code reactor.patterns.<primitive>.<what>} (dot-separated, lower case, base units:
 * seconds for timers), and carries a {@code name} tag with the instance name given when the binder is created, plus
 * any extra tags given there. A binder may be bound to several registries; counters count every event since the
 * binder was created, whichever registry reads them. Binders hold the primitive, never the registry.
 */
@NullMarked
package io.github.reactorpatterns.micrometer;

import org.jspecify.annotations.NullMarked;
