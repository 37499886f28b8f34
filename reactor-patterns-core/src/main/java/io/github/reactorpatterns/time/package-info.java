/**
 * Timeouts and deadlines: the reactive forms of {@code asyncio.timeout}, {@code asyncio.wait_for} and the
 * "timeout returns {@code None}" pattern, plus an absolute deadline carried in the Reactor {@code Context} that
 * nested calls honour.
 */
@NullMarked
package io.github.reactorpatterns.time;

import org.jspecify.annotations.NullMarked;
