/**
 * Lifecycles: {@link io.github.reactorpatterns.lifecycle.BackgroundTasks}, a registry that holds every spawned
 * subscription until it ends and cancels or drains them all, and
 * {@link io.github.reactorpatterns.lifecycle.ReactiveMain}, an entry point that runs a main {@code Mono}, cancels it
 * on SIGINT/SIGTERM, waits a grace period for cleanup and returns an exit code.
 */
@NullMarked
package io.github.reactorpatterns.lifecycle;

import org.jspecify.annotations.NullMarked;
