/**
 * The {@code demo} command: a guided tour of the patterns against an embedded {@code MockHttpServer}.
 *
 * <p>Not a library API.
 */
@NullMarked
package io.github.reactorpatterns.cli.demo;

import org.jspecify.annotations.NullMarked;
