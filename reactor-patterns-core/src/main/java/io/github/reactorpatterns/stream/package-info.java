/**
 * Async generators as lazy {@code Flux}es: pagination by offset and by cursor that fetches the next page only on
 * demand ({@link io.github.reactorpatterns.stream.Paginate}), and byte streams turned into lines or fixed-size chunks
 * across chunk boundaries ({@link io.github.reactorpatterns.stream.ByteStreams}).
 */
@NullMarked
package io.github.reactorpatterns.stream;

import org.jspecify.annotations.NullMarked;
