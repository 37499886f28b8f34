/**
 * Moving blocking and CPU-bound work off non-blocking threads, and the bridge back to blocking code: the reactive
 * forms of {@code asyncio.to_thread}, {@code run_in_executor} and a synchronous wrapper around asynchronous code.
 */
@NullMarked
package io.github.reactorpatterns.offload;

import org.jspecify.annotations.NullMarked;
