package io.github.reactorpatterns.http;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Splits a byte stream into lines across chunk boundaries, on {@code \n} with an optional preceding {@code \r}.
 * One instance per subscription; not thread-safe (chunks arrive serially).
 */
final class LineSplitter {

    private final int maxLineLength;
    private final Charset charset;
    private final String method;
    private final String uri;
    private byte[] pending = new byte[0];
    private int pendingLength;

    LineSplitter(int maxLineLength, Charset charset, String method, String uri) {
        this.maxLineLength = maxLineLength;
        this.charset = charset;
        this.method = method;
        this.uri = uri;
    }

    List<String> feed(byte[] chunk) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == '\n') {
                append(chunk, start, i - start);
                int end = pendingLength;
                if (end > 0 && pending[end - 1] == '\r') {
                    end--;
                }
                lines.add(new String(pending, 0, end, charset));
                pendingLength = 0;
                start = i + 1;
            }
        }
        append(chunk, start, chunk.length - start);
        return lines;
    }

    /** The last line when the body does not end with a terminator, else {@code null}. */
    @Nullable String finish() {
        if (pendingLength == 0) {
            return null;
        }
        int end = pendingLength;
        if (pending[end - 1] == '\r') {
            end--;
        }
        String last = new String(pending, 0, end, charset);
        pendingLength = 0;
        return last;
    }

    private void append(byte[] src, int offset, int length) {
        if (length == 0) {
            return;
        }
        // One extra byte allowed for a '\r' that the terminator will strip.
        if ((long) pendingLength + length > (long) maxLineLength + 1) {
            throw new ResponseTooLargeException(method, uri, maxLineLength, "line");
        }
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + length, Math.min(maxLineLength + 1,
                    Math.max(64, pending.length * 2))));
        }
        System.arraycopy(src, offset, pending, pendingLength, length);
        pendingLength += length;
    }
}
