package io.github.reactorpatterns.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** Re-cuts a byte stream into buffers of a fixed size; the last may be shorter. Not thread-safe. */
final class Rechunker {

    private final int size;
    private byte @Nullable [] current;
    private int filled;

    Rechunker(int size) {
        this.size = size;
    }

    List<ByteBuffer> feed(byte[] chunk) {
        List<ByteBuffer> out = new ArrayList<>();
        int offset = 0;
        while (offset < chunk.length) {
            byte[] c = current;
            if (c == null) {
                c = new byte[size];
                current = c;
                filled = 0;
            }
            int n = Math.min(size - filled, chunk.length - offset);
            System.arraycopy(chunk, offset, c, filled, n);
            filled += n;
            offset += n;
            if (filled == size) {
                out.add(ByteBuffer.wrap(c));
                current = null;
            }
        }
        return out;
    }

    @Nullable ByteBuffer finish() {
        byte[] c = current;
        current = null;
        return c == null || filled == 0 ? null : ByteBuffer.wrap(c, 0, filled).slice();
    }
}
