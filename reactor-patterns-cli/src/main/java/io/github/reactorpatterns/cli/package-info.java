/**
 * The {@code reactor-patterns} command-line tool: {@code fetch} (many URLs under a concurrency limit, a rate limit,
 * retries and timeouts, NDJSON out) and {@code demo} (a guided tour of the patterns on an embedded server).
 *
 * <p>Not a library API: everything here may change between versions.
 */
@NullMarked
package io.github.reactorpatterns.cli;

import org.jspecify.annotations.NullMarked;
