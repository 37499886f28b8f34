/**
 * The reactor-patterns test kit: what users add in test scope beside {@code reactor-test}.
 *
 * <p>{@link io.github.reactorpatterns.test.ConcurrencyProbe} counts how many subscriptions run at once;
 * {@link io.github.reactorpatterns.test.BlockHoundExtension} fails any test that blocks a non-blocking thread, and
 * {@link io.github.reactorpatterns.test.NettyAllocatorBlockHoundIntegration} (registered for {@code ServiceLoader})
 * allows the one brief lock in Netty's buffer allocator that Netty's own BlockHound integration does not list.
 * This module depends on reactor-core, reactor-test, reactor-netty-http, the JUnit Jupiter API and BlockHound,
 * never on the reactor-patterns core module.
 */
@NullMarked
package io.github.reactorpatterns.test;

import org.jspecify.annotations.NullMarked;
