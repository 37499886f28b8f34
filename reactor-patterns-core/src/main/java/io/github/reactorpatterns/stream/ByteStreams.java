package io.github.reactorpatterns.stream;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Objects;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;

/**
 * Byte streams, such as an HTTP response body, as lines or as chunks of a fixed size, across chunk boundaries. The
 * reactive forms of {@code response.aiter_lines()} and {@code response.content.iter_chunked(8192)}.
 *
 * <p>Both operators keep a little state per subscription (the bytes of a line or chunk that spans input chunks) and
 * request one input chunk at a time: the next chunk is requested once every output of the previous one has been
 * requested downstream, so at most one chunk is in flight beyond demand. Cancelling cancels the source. An error of
 * the source is passed on unchanged after the outputs of the chunks before it; the incomplete line or chunk at that
 * point is dropped. Each subscription subscribes the source afresh.
 *
 * <p>Input {@link ByteBuffer}s are read from their position to their limit and never modified (their position
 * included). For a {@code Flux<byte[]>}, map it first: {@code ByteStreams.lines(bytes.map(ByteBuffer::wrap), ...)}
 * (wrapping does not copy).
 */
public final class ByteStreams {

    private ByteStreams() {}

    /**
     * Decodes a byte stream and splits it into lines. A line ends at {@code \n} or {@code \r\n}; the terminator is
     * not part of the line, and a lone {@code \r} stays in it. A line may span any number of chunks, and a character
     * split between chunks (such as a 4-byte UTF-8 emoji) is decoded whole. Empty lines are emitted (filter them if
     * you want them skipped, as {@code aiter_lines} callers usually do); a last line without a terminator is emitted
     * when the source completes; an empty source gives an empty {@code Flux}. Malformed input decodes to the
     * charset's replacement character, as with {@link java.io.InputStreamReader}.
     *
     * <p>A line longer than {@code maxLineLength} chars fails the stream with a {@link LineTooLongException} after
     * the lines before it: a line is never buffered whole beyond that bound (at most about
     * {@code 3 * maxLineLength} bytes for UTF-8). Compared with {@link java.io.BufferedReader#readLine()}: same
     * lines, except that a lone {@code \r} is not a terminator here.
     *
     * <p>Any charset works. UTF-8, US-ASCII and ISO-8859-1 take a fast path that scans bytes for {@code \n} and
     * decodes each line once; other charsets (UTF-16 with or without a byte-order mark, UTF-32, stateful ones) are
     * decoded as one stream with a {@link java.nio.charset.CharsetDecoder}.
     *
     * @param chunks the bytes, in order; each buffer is read from its position to its limit and not modified
     * @param charset the encoding of the bytes
     * @param maxLineLength the longest line allowed, in chars ({@link String#length()}), without its terminator;
     *                      {@code > 0}
     * @return a {@code Flux} of the lines
     * @throws NullPointerException if {@code chunks} or {@code charset} is null
     * @throws IllegalArgumentException if {@code maxLineLength <= 0}
     */
    public static Flux<String> lines(Flux<ByteBuffer> chunks, Charset charset, int maxLineLength) {
        Objects.requireNonNull(chunks, "chunks");
        Objects.requireNonNull(charset, "charset");
        if (maxLineLength <= 0) {
            throw new IllegalArgumentException("maxLineLength > 0 required but it was " + maxLineLength);
        }
        return lines(chunks, () -> LineSplitter.of(charset, maxLineLength));
    }

    static Flux<String> lines(Flux<ByteBuffer> chunks, Supplier<LineSplitter> splitters) {
        return Flux.defer(() -> {
            LineSplitter splitter = splitters.get();
            return chunks.concatMap(splitter::feed, 0).concatWith(Flux.defer(splitter::finish));
        });
    }

    /**
     * Cuts a byte stream into chunks of exactly {@code size} bytes; the last chunk holds what is left and may be
     * shorter; an empty source (or one of empty buffers) gives an empty {@code Flux}. Use it to write fixed blocks or
     * to bound the work per element, whatever sizes the source delivers.
     *
     * <p>No copy beyond what is needed: an output chunk that lies within one input buffer is a view of
     * it that shares its memory ({@link ByteBuffer#slice(int, int)}), so do not modify or recycle an input buffer (a
     * pooled network buffer, say) while its views are in use; only an output chunk that spans input buffers is copied,
     * into a new heap buffer. Each output buffer is positioned at 0 with its limit at its size.
     *
     * @param chunks the bytes, in order; each buffer is read from its position to its limit and not modified
     * @param size the size of every chunk but the last, {@code > 0}
     * @return a {@code Flux} of chunks of {@code size} bytes
     * @throws NullPointerException if {@code chunks} is null
     * @throws IllegalArgumentException if {@code size <= 0}
     */
    public static Flux<ByteBuffer> rechunk(Flux<ByteBuffer> chunks, int size) {
        Objects.requireNonNull(chunks, "chunks");
        if (size <= 0) {
            throw new IllegalArgumentException("size > 0 required but it was " + size);
        }
        return Flux.defer(() -> {
            Rechunker rechunker = new Rechunker(size);
            return chunks.concatMap(rechunker::feed, 0).concatWith(Flux.defer(rechunker::finish));
        });
    }
}
