package io.github.reactorpatterns.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;

class ByteStreamsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Charset UTF_8 = StandardCharsets.UTF_8;

    /** The parts encoded as one text (one byte-order mark at most), cut where the parts meet. */
    private static Flux<ByteBuffer> chunks(Charset charset, String... parts) {
        byte[] all = String.join("", parts).getBytes(charset);
        int[] cuts = new int[Math.max(0, parts.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            int end = String.join("", Arrays.copyOfRange(parts, 0, i + 1)).getBytes(charset).length;
            cuts[i] = Math.max(i == 0 ? 0 : cuts[i - 1], end);
        }
        return parts.length == 0 ? Flux.empty() : split(all, cuts);
    }

    private static Flux<ByteBuffer> split(byte[] bytes, int... cuts) {
        List<ByteBuffer> buffers = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            buffers.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, cut)));
            from = cut;
        }
        buffers.add(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, bytes.length)));
        return Flux.fromIterable(buffers);
    }

    private static List<String> lines(Flux<ByteBuffer> chunks, Charset charset) {
        return ByteStreams.lines(chunks, charset, 1 << 20).collectList().block(TIMEOUT);
    }

    /** What BufferedReader.readLine returns for the same bytes read as one InputStream. */
    private static List<String> readLines(byte[] bytes, Charset charset) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), charset))) {
            List<String> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> lineCases() {
        return Stream.of(
                Arguments.of("lines ending in LF", List.of("a\nb\n"), List.of("a", "b")),
                Arguments.of("CRLF and a last line without newline", List.of("a\r\nb"), List.of("a", "b")),
                Arguments.of("CRLF split between chunks", List.of("a\r", "\nb\r", "\n"), List.of("a", "b")),
                Arguments.of(
                        "line split over many chunks", List.of("he", "ll", "o\nwo", "rld"), List.of("hello", "world")),
                Arguments.of("empty input", List.of(), List.of()),
                Arguments.of("empty chunks", List.of("", "", ""), List.of()),
                Arguments.of("only newlines", List.of("\n\n", "\r\n", "\n"), List.of("", "", "", "")),
                Arguments.of("one newline", List.of("\n"), List.of("")),
                Arguments.of("no trailing newline", List.of("no newline"), List.of("no newline")),
                Arguments.of("empty lines kept", List.of("a\n\nb\n\n"), List.of("a", "", "b", "")),
                Arguments.of("lone CR stays in the line", List.of("a\rb\n"), List.of("a\rb")),
                Arguments.of("CR at the end of input stays", List.of("a\r"), List.of("a\r")),
                Arguments.of("multi-byte characters", List.of("héllo 中文 😀\n", "ü"), List.of("héllo 中文 😀", "ü")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lineCases")
    void splitsLines(String name, List<String> parts, List<String> expected) {
        for (Charset charset :
                List.of(UTF_8, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16, Charset.forName("UTF-32"))) {
            assertThat(lines(chunks(charset, parts.toArray(String[]::new)), charset))
                    .as("%s in %s", name, charset)
                    .isEqualTo(expected);
        }
        assertThat(ByteStreams.lines(
                                chunks(UTF_8, parts.toArray(String[]::new)), () -> new DecodingLineSplitter(UTF_8, 100))
                        .collectList()
                        .block(TIMEOUT))
                .as("%s through the decoder", name)
                .isEqualTo(expected);
    }

    @Test
    void emojiSplitAtEveryOffsetIsDecodedWhole() {
        String text = "a😀b\n😀\r\n中😀";
        List<String> expected = List.of("a😀b", "😀", "中😀");
        for (Charset charset : List.of(UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16)) {
            byte[] bytes = text.getBytes(charset);
            for (int cut = 0; cut <= bytes.length; cut++) {
                assertThat(lines(split(bytes, cut), charset))
                        .as("%s cut at %d", charset, cut)
                        .isEqualTo(expected);
                for (int second = cut; second <= bytes.length; second++) {
                    assertThat(lines(split(bytes, cut, second), charset)).isEqualTo(expected);
                }
            }
            // one byte per chunk
            Flux<ByteBuffer> bytewise = Flux.range(0, bytes.length).map(i -> ByteBuffer.wrap(bytes, i, 1));
            assertThat(lines(bytewise, charset)).isEqualTo(expected);
        }
    }

    @Test
    void randomSplitsMatchBufferedReader() {
        List<String> tokens = List.of("a", "b", "xyz", " ", "0123", "é", "ß", "中文", "😀", "🎉", "\n", "\n", "\r\n");
        Random random = new Random(20_261_122L);
        for (int round = 0; round < 10_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(120);
            for (int i = 0; i < length; i++) {
                text.append(tokens.get(random.nextInt(tokens.size())));
            }
            Charset charset = switch (round % 5) {
                case 3 -> StandardCharsets.UTF_16;
                case 4 -> StandardCharsets.ISO_8859_1;
                default -> UTF_8;
            };
            String source = charset == StandardCharsets.ISO_8859_1
                    ? text.toString().replaceAll("[^\\x00-\\xff]", "?")
                    : text.toString();
            byte[] bytes = source.getBytes(charset);
            int[] cuts = random.ints(random.nextInt(12), 0, bytes.length + 1)
                    .sorted()
                    .toArray();
            List<String> expected = readLines(bytes, charset);
            assertThat(lines(split(bytes, cuts), charset))
                    .as("round %d, %s, cuts %s, text %s", round, charset, Arrays.toString(cuts), source)
                    .isEqualTo(expected);
            if (round % 10 == 0) {
                assertThat(ByteStreams.lines(split(bytes, cuts), () -> new DecodingLineSplitter(charset, 1000))
                                .collectList()
                                .block(TIMEOUT))
                        .as("decoder, round %d", round)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void malformedInputBecomesReplacementCharactersLikeInputStreamReader() {
        byte[] bytes = {
            'a', (byte) 0xC3, '\n', (byte) 0xF0, (byte) 0x9F, 'b', '\n', (byte) 0xFF, (byte) 0xE2, (byte) 0x82
        };
        List<String> expected = readLines(bytes, UTF_8);
        assertThat(expected).hasSize(3);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(lines(split(bytes, cut), UTF_8)).isEqualTo(expected);
            assertThat(ByteStreams.lines(split(bytes, cut), () -> new DecodingLineSplitter(UTF_8, 100))
                            .collectList()
                            .block(TIMEOUT))
                    .isEqualTo(expected);
        }
    }

    @Test
    void directAndOffsetBuffersAreReadFromPositionToLimitAndNotModified() {
        byte[] backing = "XXab\ncdYY".getBytes(UTF_8);
        ByteBuffer offset = ByteBuffer.wrap(backing, 2, 5).slice(); // "ab\ncd", arrayOffset 2
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.put("ZZef\ng".getBytes(UTF_8)).flip().position(2);
        for (Charset charset : List.of(UTF_8, StandardCharsets.US_ASCII, Charset.forName("windows-1252"))) {
            assertThat(lines(Flux.just(offset, direct), charset)).containsExactly("ab", "cdef", "g");
            assertThat(offset.position()).isZero();
            assertThat(offset.limit()).isEqualTo(5);
            assertThat(direct.position()).isEqualTo(2);
        }
    }

    @Test
    void lineLongerThanTheLimitFailsAfterTheLinesBeforeIt() {
        StepVerifier.create(ByteStreams.lines(chunks(UTF_8, "ab\n12345\n", "123456\ncd\n"), UTF_8, 5))
                .expectNext("ab", "12345")
                .expectErrorSatisfies(e -> {
                    assertThat(e)
                            .isExactlyInstanceOf(LineTooLongException.class)
                            .hasMessage("line 3 is longer than the maximum of 5 chars");
                    assertThat(((LineTooLongException) e).getMaxLineLength()).isEqualTo(5);
                    assertThat(((LineTooLongException) e).getLineNumber()).isEqualTo(3);
                })
                .verify(TIMEOUT);
    }

    @Test
    void lineLimitCountsCharsNotBytesNorTheTerminator() {
        for (Charset charset : List.of(UTF_8, StandardCharsets.UTF_16)) {
            // "éé😀" is 4 chars (the emoji is two) and 8 UTF-8 bytes.
            StepVerifier.create(ByteStreams.lines(chunks(charset, "éé😀\r\n", "éé😀x\r\n"), charset, 4))
                    .expectNext("éé😀")
                    .expectError(LineTooLongException.class)
                    .verify(TIMEOUT);
            StepVerifier.create(ByteStreams.lines(chunks(charset, "abcd"), charset, 4))
                    .expectNext("abcd")
                    .expectComplete()
                    .verify(TIMEOUT);
            StepVerifier.create(ByteStreams.lines(chunks(charset, "abcde"), charset, 4))
                    .expectErrorMessage("line 1 is longer than the maximum of 4 chars")
                    .verify(TIMEOUT);
        }
    }

    @Test
    void unterminatedLongLineFailsWithoutReadingTheWholeSource() {
        for (Charset charset : List.of(UTF_8, StandardCharsets.ISO_8859_1, StandardCharsets.UTF_16BE)) {
            AtomicInteger chunksRead = new AtomicInteger();
            Flux<ByteBuffer> endless = Flux.<ByteBuffer>generate(
                            sink -> sink.next(ByteBuffer.wrap("xxxxxxxxxx".getBytes(charset))))
                    .doOnNext(chunk -> chunksRead.incrementAndGet());
            StepVerifier.create(ByteStreams.lines(endless, charset, 100))
                    .expectError(LineTooLongException.class)
                    .verify(TIMEOUT);
            assertThat(chunksRead.get()).as("%s", charset).isBetween(11, 32);
        }
    }

    @Test
    void oneChunkInFlightBeyondDemand() {
        List<Long> requests = new CopyOnWriteArrayList<>();
        Flux<ByteBuffer> source =
                chunks(UTF_8, "a\nb\n", "c\n", "d", "e\n", "f\n").doOnRequest(requests::add);
        StepVerifier.create(ByteStreams.lines(source, UTF_8, 10), 0)
                .then(() -> assertThat(requests).isEmpty())
                .thenRequest(1)
                .expectNext("a")
                .then(() -> assertThat(requests).containsExactly(1L))
                .thenRequest(1)
                .expectNext("b") // chunk 1 fully emitted: chunk 2 requested
                .then(() -> assertThat(requests).containsExactly(1L, 1L))
                .thenRequest(1)
                .expectNext("c")
                // chunk 2 fully emitted: chunk 3 requested; "d" gives no line, so chunk 4 follows at once
                .then(() -> assertThat(requests).containsExactly(1L, 1L, 1L, 1L))
                .thenRequest(1)
                .expectNext("de")
                .then(() -> assertThat(requests).containsExactly(1L, 1L, 1L, 1L, 1L))
                .thenRequest(5)
                .expectNext("f")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void cancelCancelsTheSource() {
        TestPublisher<ByteBuffer> source = TestPublisher.create();
        StepVerifier.create(ByteStreams.lines(source.flux(), UTF_8, 10).take(1))
                .then(() -> source.next(ByteBuffer.wrap("a\nb\n".getBytes(UTF_8))))
                .expectNext("a")
                .expectComplete()
                .verify(TIMEOUT);
        source.assertCancelled();

        TestPublisher<ByteBuffer> rechunked = TestPublisher.create();
        StepVerifier.create(ByteStreams.rechunk(rechunked.flux(), 2).take(1))
                .then(() -> rechunked.next(ByteBuffer.wrap(new byte[5])))
                .expectNextCount(1)
                .expectComplete()
                .verify(TIMEOUT);
        rechunked.assertCancelled();
    }

    @Test
    void sourceErrorPassesUnchangedAfterTheLinesBeforeIt() {
        IOException boom = new IOException("boom");
        StepVerifier.create(
                        ByteStreams.lines(chunks(UTF_8, "a\nb", "c\npartial").concatWith(Flux.error(boom)), UTF_8, 10))
                .expectNext("a", "bc")
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
                .verify(TIMEOUT);
    }

    @Test
    void isLazyAndEachSubscriptionStartsAfresh() {
        PublisherProbe<ByteBuffer> probe = PublisherProbe.of(chunks(UTF_8, "a\nb", "c"));
        Flux<String> lines = ByteStreams.lines(probe.flux(), UTF_8, 10);
        probe.assertWasNotSubscribed();
        assertThat(lines.collectList().block(TIMEOUT)).containsExactly("a", "bc");
        assertThat(lines.collectList().block(TIMEOUT)).containsExactly("a", "bc");
        assertThat(probe.subscribeCount()).isEqualTo(2);
    }

    @Test
    void chunksFromOtherThreadsKeepOrder() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            text.append("line ").append(i).append(" é😀\n");
        }
        byte[] bytes = text.toString().getBytes(UTF_8);
        List<String> expected = readLines(bytes, UTF_8);
        Random random = new Random(7);
        int[] cuts = random.ints(500, 0, bytes.length).sorted().toArray();
        Flux<ByteBuffer> source = split(bytes, cuts).publishOn(Schedulers.parallel(), 4);
        StepVerifier.create(ByteStreams.lines(source, UTF_8, 100).publishOn(Schedulers.boundedElastic(), 16))
                .expectNextSequence(expected)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void rechunkCutsFixedSizeChunksAndALastShorterOne() {
        Supplier<Flux<ByteBuffer>> source = () -> split("abcdefghijklmnopq".getBytes(UTF_8), 3, 8, 9, 16);
        StepVerifier.create(ByteStreams.rechunk(source.get(), 4).map(ByteStreamsTest::string))
                .expectNext("abcd", "efgh", "ijkl", "mnop", "q")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(ByteStreams.rechunk(source.get(), 17).map(ByteStreamsTest::string))
                .expectNext("abcdefghijklmnopq")
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(ByteStreams.rechunk(source.get(), 100).map(ByteStreamsTest::string))
                .expectNext("abcdefghijklmnopq")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void rechunkOfEmptyInputIsEmpty() {
        StepVerifier.create(ByteStreams.rechunk(Flux.empty(), 4))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(ByteStreams.rechunk(Flux.just(ByteBuffer.allocate(0), ByteBuffer.allocate(0)), 4))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void rechunkReturnsViewsOfAlignedInputAndCopiesOnlyWhatSpansChunks() {
        byte[] whole = "abcdefgh".getBytes(UTF_8);
        ByteBuffer input = ByteBuffer.wrap(whole);
        List<ByteBuffer> out =
                ByteStreams.rechunk(Flux.just(input), 4).collectList().block(TIMEOUT);
        assertThat(out).hasSize(2).allSatisfy(chunk -> {
            assertThat(chunk.array()).isSameAs(whole);
            assertThat(chunk.position()).isZero();
            assertThat(chunk.remaining()).isEqualTo(4);
        });
        assertThat(input.position()).isZero();

        List<ByteBuffer> spanning =
                ByteStreams.rechunk(split(whole, 3), 4).collectList().block(TIMEOUT);
        assertThat(spanning.get(0).array()).isNotSameAs(whole);
        assertThat(spanning).extracting(ByteStreamsTest::string).containsExactly("abcd", "efgh");
    }

    @Test
    void rechunkRandomSplitsKeepEveryByte() {
        Random random = new Random(99);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            int size = 1 + random.nextInt(40);
            int[] cuts = random.ints(random.nextInt(10), 0, bytes.length + 1)
                    .sorted()
                    .toArray();
            List<ByteBuffer> out =
                    ByteStreams.rechunk(split(bytes, cuts), size).collectList().block(TIMEOUT);
            ByteBuffer joined = ByteBuffer.allocate(bytes.length);
            for (int i = 0; i < out.size(); i++) {
                ByteBuffer chunk = out.get(i);
                if (i < out.size() - 1) {
                    assertThat(chunk.remaining()).isEqualTo(size);
                } else {
                    assertThat(chunk.remaining()).isBetween(1, size);
                }
                joined.put(chunk.duplicate());
            }
            assertThat(joined.array()).isEqualTo(bytes);
        }
    }

    @Test
    void rechunkRequestsOneChunkInFlightBeyondDemand() {
        List<Long> requests = new CopyOnWriteArrayList<>();
        Flux<ByteBuffer> source = split(new byte[10], 6).doOnRequest(requests::add);
        StepVerifier.create(ByteStreams.rechunk(source, 2), 0)
                .thenRequest(1)
                .expectNextCount(1)
                .then(() -> assertThat(requests).containsExactly(1L))
                .thenRequest(2)
                .expectNextCount(2)
                .then(() -> assertThat(requests).containsExactly(1L, 1L))
                .thenRequest(10)
                .expectNextCount(2)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void badArguments() {
        Flux<ByteBuffer> source = Flux.empty();
        assertThatNullPointerException()
                .isThrownBy(() -> ByteStreams.lines(null, UTF_8, 10))
                .withMessage("chunks");
        assertThatNullPointerException()
                .isThrownBy(() -> ByteStreams.lines(source, null, 10))
                .withMessage("charset");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ByteStreams.lines(source, UTF_8, 0))
                .withMessage("maxLineLength > 0 required but it was 0");
        assertThatNullPointerException()
                .isThrownBy(() -> ByteStreams.rechunk(null, 10))
                .withMessage("chunks");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ByteStreams.rechunk(source, -1))
                .withMessage("size > 0 required but it was -1");
    }

    private static String string(ByteBuffer buffer) {
        return UTF_8.decode(buffer.duplicate()).toString();
    }
}
