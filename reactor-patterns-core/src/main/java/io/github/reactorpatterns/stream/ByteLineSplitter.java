package io.github.reactorpatterns.stream;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * Splits on the byte {@code 0x0A} and decodes each line with {@code new String(bytes, off, len, charset)}: for
 * charsets in which that byte only ever encodes {@code \n} and decoding needs no state across lines (UTF-8, whose
 * multi-byte sequences never contain a byte below {@code 0x80}, US-ASCII, ISO-8859-1). A line split between chunks
 * is carried as bytes, so a multi-byte character split between chunks is decoded whole.
 */
final class ByteLineSplitter extends LineSplitter {

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Charset charset;
    /** A line carried with more bytes than this is certainly longer than maxLineLength chars. */
    private final long maxCarriedBytes;

    private byte[] carried = new byte[0];
    private int carriedLength;
    private byte[] scratch = new byte[0];

    /**
     * @param maxBytesPerChar the most bytes one char (UTF-16 unit) of a decoded line can take, malformed input
     *                        included (each malformed sequence of at most 3 bytes decodes to one U+FFFD)
     */
    ByteLineSplitter(Charset charset, int maxLineLength, int maxBytesPerChar) {
        super(maxLineLength);
        this.charset = charset;
        this.maxCarriedBytes = (long) maxBytesPerChar * maxLineLength + 1; // + 1: a '\r' before the '\n'
    }

    @Override
    void split(ByteBuffer chunk) {
        int n = chunk.remaining();
        if (n == 0) {
            return;
        }
        byte[] bytes;
        int from;
        if (chunk.hasArray()) {
            bytes = chunk.array();
            from = chunk.arrayOffset() + chunk.position();
        } else {
            if (scratch.length < n) {
                scratch = new byte[n];
            }
            chunk.get(chunk.position(), scratch, 0, n);
            bytes = scratch;
            from = 0;
        }
        int to = from + n;
        int start = from;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                boolean ok;
                if (carriedLength == 0) {
                    ok = line(decode(bytes, start, i, true));
                } else {
                    ok = carry(bytes, start, i) && line(decode(carried, 0, carriedLength, true));
                    carriedLength = 0;
                }
                if (!ok) {
                    return;
                }
                start = i + 1;
            }
        }
        carry(bytes, start, to);
    }

    @Override
    void finishSplit() {
        if (carriedLength > 0) {
            line(decode(carried, 0, carriedLength, false));
            carriedLength = 0;
        }
    }

    private String decode(byte[] bytes, int from, int end, boolean dropCr) {
        if (dropCr && end > from && bytes[end - 1] == '\r') {
            end--;
        }
        return new String(bytes, from, end - from, charset);
    }

    private boolean carry(byte[] bytes, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return true;
        }
        long needed = (long) carriedLength + n;
        if (needed > maxCarriedBytes) {
            return tooLong();
        }
        if (needed > carried.length) {
            long grown = Math.max(needed, Math.min(maxCarriedBytes, Math.max(256L, 2L * carried.length)));
            carried = Arrays.copyOf(carried, (int) Math.min(grown, MAX_ARRAY));
        }
        System.arraycopy(bytes, from, carried, carriedLength, n);
        carriedLength += n;
        return true;
    }
}
