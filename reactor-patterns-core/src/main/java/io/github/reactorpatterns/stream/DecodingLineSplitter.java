package io.github.reactorpatterns.stream;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Decodes the whole stream with one {@link CharsetDecoder} (which carries a character split between chunks, and any
 * shift state) and splits the chars on {@code \n}: correct for every charset, UTF-16 and UTF-32 included. Malformed
 * or unmappable input becomes the charset's replacement, as with {@link java.io.InputStreamReader}.
 */
final class DecodingLineSplitter extends LineSplitter {

    private static final int CHAR_BUFFER_SIZE = 8192;

    private final CharsetDecoder decoder;
    private final CharBuffer chars = CharBuffer.allocate(CHAR_BUFFER_SIZE);
    private final StringBuilder carried = new StringBuilder();
    /** Bytes at the end of the previous chunk that do not yet form a whole character. */
    private ByteBuffer leftover = ByteBuffer.allocate(0);

    DecodingLineSplitter(Charset charset, int maxLineLength) {
        super(maxLineLength);
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    @Override
    void split(ByteBuffer chunk) {
        ByteBuffer in;
        if (leftover.hasRemaining()) {
            in = ByteBuffer.allocate(leftover.remaining() + chunk.remaining());
            in.put(leftover).put(chunk.duplicate()).flip();
        } else {
            in = chunk.duplicate();
        }
        decode(in, false);
        if (in.hasRemaining()) {
            leftover = ByteBuffer.allocate(in.remaining());
            leftover.put(in).flip();
        } else {
            leftover = ByteBuffer.allocate(0);
        }
    }

    @Override
    void finishSplit() {
        if (!decode(leftover, true)) {
            return;
        }
        CoderResult result;
        do {
            result = decoder.flush(chars);
            if (!splitChars()) {
                return;
            }
        } while (result.isOverflow());
        if (carried.length() > 0) {
            line(carried.toString());
            carried.setLength(0);
        }
    }

    private boolean decode(ByteBuffer in, boolean endOfInput) {
        CoderResult result;
        do {
            result = decoder.decode(in, chars, endOfInput);
            if (!splitChars()) {
                return false;
            }
        } while (result.isOverflow());
        return true;
    }

    /** Splits the decoded chars into lines; false if a line is too long. */
    private boolean splitChars() {
        chars.flip();
        char[] array = chars.array();
        int to = chars.limit();
        int start = 0;
        try {
            for (int i = 0; i < to; i++) {
                if (array[i] == '\n') {
                    int end = i;
                    String text;
                    if (carried.length() == 0) {
                        if (end > start && array[end - 1] == '\r') {
                            end--;
                        }
                        text = new String(array, start, end - start);
                    } else {
                        carried.append(array, start, end - start);
                        int length = carried.length();
                        if (carried.charAt(length - 1) == '\r') {
                            length--;
                        }
                        text = carried.substring(0, length);
                        carried.setLength(0);
                    }
                    if (!line(text)) {
                        return false;
                    }
                    start = i + 1;
                }
            }
            if ((long) carried.length() + (to - start) > (long) maxLineLength + 1) { // + 1: a '\r' before '\n'
                return tooLong();
            }
            carried.append(array, start, to - start);
            return true;
        } finally {
            chars.clear();
        }
    }
}
