/**
 * The reactor-patterns test kit: what users add in test scope beside {@code reactor-test}.
 *
 * <p>{@link io.github.reactorpatterns.test.ConcurrencyProbe} counts how many subscriptions run at once;
 * {@link io.github.reactorpatterns.test.BlockHoundExtension} fails any test that blocks a non-blocking thread.
 * This module depends on reactor-core, reactor-test, reactor-netty-http, the JUnit Jupiter API and BlockHound,
 * never on the reactor-patterns core module.
 */
@NullMarked
package io.github.reactorpatterns.test;

import org.jspecify.annotations.NullMarked;
