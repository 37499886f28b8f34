package io.github.reactorpatterns.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/** Writes one JSON object per line and flushes it, so a pipe downstream sees each result as soon as it exists. */
final class NdjsonWriter {

    private final ObjectWriter writer;
    private final PrintStream out;

    NdjsonWriter(PrintStream out) {
        this.out = out;
        this.writer = new ObjectMapper().writer();
    }

    /** Writes {@code value} as a single line; safe to call from several threads. */
    void write(Object value) {
        String line;
        try {
            line = writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (out) {
            out.print(line);
            out.print('\n');
            out.flush();
        }
    }
}
