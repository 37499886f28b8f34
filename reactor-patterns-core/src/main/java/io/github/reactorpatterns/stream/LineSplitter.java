package io.github.reactorpatterns.stream;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Splits a stream of byte chunks into lines; one instance per subscription, fed serially. Lines end at {@code \n};
 * a {@code \r} right before it is dropped; a lone {@code \r} stays in the line.
 */
abstract class LineSplitter {

    final int maxLineLength;
    private long lines;
    private @Nullable List<String> out;
    private @Nullable LineTooLongException failure;

    LineSplitter(int maxLineLength) {
        this.maxLineLength = maxLineLength;
    }

    /**
     * The splitter for a charset: the byte scanner where {@code 0x0A} can only mean {@code \n} and decoding is
     * stateless (UTF-8, US-ASCII, ISO-8859-1), a streaming {@link java.nio.charset.CharsetDecoder} otherwise.
     */
    static LineSplitter of(Charset charset, int maxLineLength) {
        if (charset.equals(StandardCharsets.UTF_8)) {
            return new ByteLineSplitter(charset, maxLineLength, 3);
        }
        if (charset.equals(StandardCharsets.US_ASCII) || charset.equals(StandardCharsets.ISO_8859_1)) {
            return new ByteLineSplitter(charset, maxLineLength, 1);
        }
        return new DecodingLineSplitter(charset, maxLineLength);
    }

    /** The lines that end in {@code chunk}, then the error if one of them is too long. */
    final Flux<String> feed(ByteBuffer chunk) {
        if (failure == null) {
            split(chunk);
        }
        return drain();
    }

    /** The last line, if the stream did not end with a line terminator. */
    final Flux<String> finish() {
        if (failure == null) {
            finishSplit();
        }
        return drain();
    }

    abstract void split(ByteBuffer chunk);

    abstract void finishSplit();

    /** Emits a line; returns false (and records the failure) if it is too long. */
    final boolean line(String line) {
        if (line.length() > maxLineLength) {
            return tooLong();
        }
        lines++;
        List<String> list = out;
        if (list == null) {
            list = new ArrayList<>();
            out = list;
        }
        list.add(line);
        return true;
    }

    /** Records that the line in progress is too long; returns false. */
    final boolean tooLong() {
        failure = new LineTooLongException(maxLineLength, lines + 1);
        return false;
    }

    final boolean failed() {
        return failure != null;
    }

    private Flux<String> drain() {
        List<String> list = out;
        out = null;
        Flux<String> lines;
        if (list == null) {
            lines = Flux.empty();
        } else if (list.size() == 1) {
            lines = Flux.just(list.get(0));
        } else {
            lines = Flux.fromIterable(list);
        }
        LineTooLongException error = failure;
        return error == null ? lines : lines.concatWith(Flux.error(error));
    }
}
