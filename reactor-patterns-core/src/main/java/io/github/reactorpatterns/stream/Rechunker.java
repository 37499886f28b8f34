package io.github.reactorpatterns.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Cuts a stream of byte chunks into chunks of a fixed size; one instance per subscription, fed serially. Whole
 * chunks inside an input chunk are emitted as views of it (no copy); only the bytes of a chunk that spans input
 * chunks are copied, into a new buffer.
 */
final class Rechunker {

    private final int size;
    private @Nullable ByteBuffer carried;

    Rechunker(int size) {
        this.size = size;
    }

    Flux<ByteBuffer> feed(ByteBuffer chunk) {
        ByteBuffer in = chunk.duplicate();
        List<ByteBuffer> out = new ArrayList<>();
        ByteBuffer partial = carried;
        if (partial != null) {
            int take = Math.min(partial.remaining(), in.remaining());
            partial.put(in.slice(in.position(), take));
            in.position(in.position() + take);
            if (partial.hasRemaining()) {
                return Flux.empty();
            }
            out.add(partial.flip());
            carried = null;
        }
        while (in.remaining() >= size) {
            out.add(in.slice(in.position(), size));
            in.position(in.position() + size);
        }
        if (in.hasRemaining()) {
            ByteBuffer next = ByteBuffer.allocate(size);
            next.put(in);
            carried = next;
        }
        return out.size() == 1 ? Flux.just(out.get(0)) : Flux.fromIterable(out);
    }

    Flux<ByteBuffer> finish() {
        ByteBuffer partial = carried;
        carried = null;
        return partial == null ? Flux.empty() : Flux.just(partial.flip());
    }
}
