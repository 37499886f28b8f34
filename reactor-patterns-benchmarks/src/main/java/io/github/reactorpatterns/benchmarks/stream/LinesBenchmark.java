package io.github.reactorpatterns.benchmarks.stream;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.stream.ByteStreams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Flux;

/**
 * {@code ByteStreams.lines} over 64 MiB of UTF-8 text delivered in 8 KiB chunks, against
 * {@code BufferedReader.readLine} over the same bytes as one {@code InputStream}. One operation reads all 64 MiB, so
 * MB/s = 64 / (seconds per operation) * 1.048576.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class LinesBenchmark {

    static final int TOTAL_BYTES = 64 * 1024 * 1024;
    static final int CHUNK_BYTES = 8 * 1024;
    static final int MAX_LINE_LENGTH = 64 * 1024;

    byte[] text;
    List<ByteBuffer> chunks;

    @Setup
    public void setUp() {
        // Log-like lines of 20 to 140 chars, mostly ASCII with some 2-, 3- and 4-byte characters.
        String[] words = {
            "GET",
            "/api/items",
            "200",
            "user=42",
            "latency_ms=17",
            "résumé",
            "naïve",
            "中文",
            "😀",
            "request",
            "id=9f8e7d",
            "ok",
            "status",
            "retry",
            "timeout"
        };
        Random random = new Random(1);
        StringBuilder builder = new StringBuilder(TOTAL_BYTES + 256);
        while (builder.length() < TOTAL_BYTES * 0.98) {
            int target = 20 + random.nextInt(120);
            int start = builder.length();
            while (builder.length() - start < target) {
                builder.append(words[random.nextInt(words.length)]).append(' ');
            }
            builder.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        byte[] bytes = builder.toString().getBytes(StandardCharsets.UTF_8);
        text = Arrays.copyOf(bytes, Math.min(bytes.length, TOTAL_BYTES));
        chunks = new ArrayList<>();
        for (int from = 0; from < text.length; from += CHUNK_BYTES) {
            chunks.add(ByteBuffer.wrap(text, from, Math.min(CHUNK_BYTES, text.length - from))
                    .slice());
        }
    }

    @Benchmark
    public void lines(Blackhole blackhole) {
        ByteStreams.lines(Flux.fromIterable(chunks), StandardCharsets.UTF_8, MAX_LINE_LENGTH)
                .subscribe(blackhole::consume);
    }

    @Benchmark
    public void bufferedReaderReadLine(Blackhole blackhole) throws IOException {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(new ByteArrayInputStream(text), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                blackhole.consume(line);
            }
        }
    }
}
