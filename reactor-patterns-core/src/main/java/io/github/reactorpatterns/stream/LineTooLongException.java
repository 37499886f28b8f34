package io.github.reactorpatterns.stream;

/**
 * A line was longer than the limit given to {@link ByteStreams#lines(reactor.core.publisher.Flux,
 * java.nio.charset.Charset, int)}. The stream fails with it instead of buffering an unbounded line; the lines before
 * the long one have been emitted.
 */
public final class LineTooLongException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The limit that was exceeded, in chars. */
    private final int maxLineLength;
    /** The 1-based number of the line that exceeded it. */
    private final long lineNumber;

    /**
     * Creates the exception.
     *
     * @param maxLineLength the limit that was exceeded, in chars
     * @param lineNumber the 1-based number of the line that exceeded it
     */
    public LineTooLongException(int maxLineLength, long lineNumber) {
        super("line " + lineNumber + " is longer than the maximum of " + maxLineLength + " chars");
        this.maxLineLength = maxLineLength;
        this.lineNumber = lineNumber;
    }

    /**
     * The limit that was exceeded.
     *
     * @return the maximum line length, in chars, without the line terminator
     */
    public int getMaxLineLength() {
        return maxLineLength;
    }

    /**
     * Which line exceeded the limit.
     *
     * @return the 1-based number of the line in the stream
     */
    public long getLineNumber() {
        return lineNumber;
    }
}
