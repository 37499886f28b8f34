/**
 * Helpers shared by the pattern packages. For internal use only: nothing here is public API, and it may change or
 * disappear in any release. Do not import it from outside reactor-patterns.
 */
@NullMarked
package io.github.reactorpatterns.internal;

import org.jspecify.annotations.NullMarked;
