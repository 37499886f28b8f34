package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class NdjsonWriterTest {

    @Test
    void writesTheSixFieldsInOrderOneLineEach() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        NdjsonWriter writer = new NdjsonWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        writer.write(new FetchResult(3, "http://a/1", 200, 42, 17, 1, null, null));
        writer.write(new FetchResult(4, "http://a/\"2\"", null, 0, 5, 3, "timeout: after 1s\nx", "timeout"));
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"url\":\"http://a/1\",\"status\":200,\"bytes\":42,\"ms\":17,\"attempts\":1,\"error\":null}\n"
                                + "{\"url\":\"http://a/\\\"2\\\"\",\"status\":null,\"bytes\":0,\"ms\":5,\"attempts\":3,"
                                + "\"error\":\"timeout: after 1s\\nx\"}\n");
    }
}
