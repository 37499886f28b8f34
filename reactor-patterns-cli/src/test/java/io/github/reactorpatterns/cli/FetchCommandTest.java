package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The command's parsing, input handling, ordering and accounting, on an engine that needs no network. */
class FetchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An engine that "fetches" after a short delay; with {@code chain > 0}, URL {@code i} completes only after URL
     * {@code i + 1} did, so the first {@code chain} URLs complete in exactly the reverse order.
     */
    private static final class FakeEngine implements FetchEngine {
        final FetchSettings settings;
        final int chain;
        final List<Sinks.Empty<Void>> done;
        volatile boolean closed;

        FakeEngine(FetchSettings settings, int chain) {
            this.settings = settings;
            this.chain = chain;
            this.done =
                    IntStream.range(0, chain).mapToObj(i -> Sinks.<Void>empty()).toList();
        }

        @Override
        public Mono<FetchResult> fetch(UrlList.Entry entry, Track track) {
            String url = entry.uri().toString();
            boolean fail = url.contains("fail");
            int i = entry.index();
            Mono<?> before = i + 1 < chain ? done.get(i + 1).asMono() : Mono.delay(Duration.ofMillis(2));
            return before.then(Mono.fromCallable(() -> fail
                            ? new FetchResult(entry.index(), url, 503, 0, 5, 3, "HTTP 503", "http 503")
                            : new FetchResult(entry.index(), url, 200, url.length(), 5, 1, null, null)))
                    .doAfterTerminate(() -> {
                        if (i < chain) {
                            done.get(i).tryEmitEmpty();
                        }
                    });
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final AtomicReference<FakeEngine> engine = new AtomicReference<>();
    private int chain;

    private CliRun run(String stdin, String... args) {
        return CliRun.run(
                settings -> {
                    FakeEngine e = new FakeEngine(settings, chain);
                    engine.set(e);
                    return e;
                },
                stdin,
                args);
    }

    private static String urls(int n) {
        return IntStream.range(0, n).mapToObj(i -> "http://h.example/" + i).collect(Collectors.joining("\n"));
    }

    private static List<String> urlsOf(CliRun run) {
        return run.out().stream()
                .map(line -> {
                    try {
                        return JSON.readTree(line).get("url").asText();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    @Test
    void writesOneLinePerUrlAndExitsZero() throws IOException {
        CliRun run = run(urls(3), "fetch", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).hasSize(3);
        JsonNode first = JSON.readTree(run.out().get(0));
        assertThat(first.fieldNames())
                .toIterable()
                .containsExactly("url", "status", "bytes", "ms", "attempts", "error");
        assertThat(run.errLine("requests:")).matches("requests: 3 in \\S+, 3 succeeded, 0 failed");
        assertThat(engine.get().closed).isTrue();
    }

    @Test
    void orderedFollowsInputOrderOtherwiseCompletionOrder() {
        chain = 10;
        List<String> expected =
                IntStream.range(0, 10).mapToObj(i -> "http://h.example/" + i).toList();
        List<String> reversed = IntStream.range(0, 10)
                .mapToObj(i -> "http://h.example/" + (9 - i))
                .toList();
        CliRun ordered = run(urls(10), "fetch", "--ordered", "-c", "10", "-");
        assertThat(urlsOf(ordered)).containsExactlyElementsOf(expected);
        CliRun unordered = run(urls(10), "fetch", "-c", "10", "-");
        assertThat(urlsOf(unordered))
                .containsExactlyInAnyOrderElementsOf(expected)
                .containsExactlyElementsOf(reversed);
    }

    @Test
    void concurrencyLimitIsRespectedAndReported() {
        CliRun run = run(urls(40), "fetch", "--concurrency", "4", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.errLine("concurrency:")).isEqualTo("concurrency: max 4 in flight (limit 4)");
    }

    @Test
    void failuresGiveExitOneAndAreCountedByKind() {
        CliRun run = run("http://h.example/ok\nhttp://h.example/fail1\nhttp://h.example/fail2\n", "fetch", "-");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLine("requests:")).endsWith("1 succeeded, 2 failed (http 503: 2)");
        assertThat(run.errLine("retries:")).isEqualTo("retries: 4 (7 attempts)");
    }

    @Test
    void settingsReachTheEngine() {
        run(
                "http://h.example/\n",
                "fetch",
                "-c",
                "3",
                "--rate",
                "30/m",
                "--burst",
                "2",
                "--retries",
                "5",
                "--timeout",
                "750ms",
                "--deadline",
                "5m",
                "-X",
                "post",
                "-H",
                "X-A: 1",
                "--header",
                "X-B:two",
                "--http2",
                "--ordered",
                "-");
        FetchSettings s = engine.get().settings;
        assertThat(s.concurrency()).isEqualTo(3);
        assertThat(s.rate()).isEqualTo(new Rate(30, Duration.ofMinutes(1)));
        assertThat(s.burst()).isEqualTo(2);
        assertThat(s.retries()).isEqualTo(5);
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.deadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.headers()).extracting(h -> h.getKey() + "=" + h.getValue()).containsExactly("X-A=1", "X-B=two");
        assertThat(s.http2()).isTrue();
        assertThat(s.ordered()).isTrue();
    }

    @Test
    void defaults() {
        run("http://h.example/\n", "fetch", "-");
        FetchSettings s = engine.get().settings;
        assertThat(s.concurrency()).isEqualTo(FetchCommand.DEFAULT_CONCURRENCY);
        assertThat(s.rate()).isNull();
        assertThat(s.burst()).isEqualTo(1);
        assertThat(s.retries()).isEqualTo(FetchCommand.DEFAULT_RETRIES);
        assertThat(s.timeout()).isEqualTo(FetchCommand.DEFAULT_TIMEOUT);
        assertThat(s.deadline()).isNull();
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.http2()).isFalse();
        assertThat(s.ordered()).isFalse();
    }

    @Test
    void readsAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("urls.txt");
        Files.writeString(file, "# two URLs\nhttp://h.example/a\n\nhttp://h.example/b\n");
        CliRun run = run("", "fetch", file.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(urlsOf(run)).containsExactlyInAnyOrder("http://h.example/a", "http://h.example/b");
    }

    @Test
    void malformedLinesAreReportedWithLineNumbersAndTheRestFetched() {
        CliRun run = run("http://h.example/a\nnot a url\n# fine\nmailto:x@y\nhttp://h.example/b\n", "fetch", "-");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(urlsOf(run)).containsExactlyInAnyOrder("http://h.example/a", "http://h.example/b");
        assertThat(run.err())
                .contains(
                        "reactor-patterns fetch: line 2: malformed URL (Illegal character in path at index 3): not a url",
                        "reactor-patterns fetch: line 4: unsupported scheme 'mailto' (expected http or https): mailto:x@y",
                        "skipped: 2 malformed lines");
    }

    @Test
    void emptyInputIsAnEmptyRun() {
        CliRun run = run("\n# nothing\n", "fetch", "-");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.errLine("requests:")).startsWith("requests: 0 in ");
    }

    private void assertUsageError(CliRun run, String line) {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).containsExactly(line);
        assertThat(engine.get()).isNull();
    }

    @Test
    void unknownOption() {
        assertUsageError(
                run("", "fetch", "--bogus", "-"),
                "reactor-patterns fetch: Unknown option: '--bogus' (see 'reactor-patterns fetch --help')");
    }

    @Test
    void unknownCommand() {
        assertUsageError(
                run("", "fetc"),
                "reactor-patterns: Unmatched argument at index 0: 'fetc' (see 'reactor-patterns --help')");
    }

    @Test
    void noCommand() {
        assertUsageError(run(""), "reactor-patterns: a command is required (see 'reactor-patterns --help')");
    }

    @Test
    void badRate() {
        assertUsageError(
                run("", "fetch", "--rate", "100", "-"),
                "reactor-patterns fetch: Invalid value for option '--rate': expected N/s or N/m (e.g. 100/s, 30/m)"
                        + " but was '100' (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "--rate", "100/h", "-"),
                "reactor-patterns fetch: Invalid value for option '--rate': expected N/s or N/m (e.g. 100/s, 30/m)"
                        + " but was '100/h' (see 'reactor-patterns fetch --help')");
    }

    @Test
    void badDurationsAndNumbers() {
        assertUsageError(
                run("", "fetch", "--timeout", "10", "-"),
                "reactor-patterns fetch: Invalid value for option '--timeout': expected a duration such as 500ms,"
                        + " 10s, 5m or 1h but was '10' (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "--concurrency", "0", "-"),
                "reactor-patterns fetch: --concurrency must be at least 1 but was 0"
                        + " (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "--concurrency", "many", "-"),
                "reactor-patterns fetch: Invalid value for option '--concurrency': 'many' is not an int"
                        + " (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "--retries", "-1", "-"),
                "reactor-patterns fetch: --retries must be 0 or more but was -1 (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "--burst", "5", "-"),
                "reactor-patterns fetch: --burst needs --rate (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "--rate", "5/s", "--burst", "0", "-"),
                "reactor-patterns fetch: --burst must be at least 1 but was 0 (see 'reactor-patterns fetch --help')");
    }

    @Test
    void badHeaderAndMethod() {
        assertUsageError(
                run("", "fetch", "-H", "no colon", "-"),
                "reactor-patterns fetch: --header must look like 'Name: value' but was 'no colon'"
                        + " (see 'reactor-patterns fetch --help')");
        assertUsageError(
                run("", "fetch", "-X", "GE T", "-"),
                "reactor-patterns fetch: --method must be an HTTP method such as GET or POST but was 'GE T'"
                        + " (see 'reactor-patterns fetch --help')");
    }

    @Test
    void missingFileArgument() {
        assertUsageError(
                run("", "fetch"),
                "reactor-patterns fetch: Missing required parameter: 'FILE' (see 'reactor-patterns fetch --help')");
    }

    @Test
    void unreadableFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.txt");
        assertUsageError(
                run("", "fetch", missing.toString()),
                "reactor-patterns fetch: cannot read '" + missing + "': no such file");
        assertUsageError(
                run("", "fetch", dir.toString()),
                "reactor-patterns fetch: cannot read '" + dir + "': it is a directory");
    }

    @Test
    void notUtf8File(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.txt");
        Files.write(file, new byte[] {'h', 't', (byte) 0xff, (byte) 0xfe, '\n'});
        assertUsageError(
                run("", "fetch", file.toString()),
                "reactor-patterns fetch: cannot read '" + file + "': not UTF-8 text");
    }

    @Test
    void progressBarOnlyWhenAskedOrOnATerminal() {
        CliRun forced = run(urls(5), "fetch", "--progress", "-");
        assertThat(forced.exitCode()).isZero();
        assertThat(String.join("\n", forced.err())).contains("\r", "fetch", "5/5");
        assertThat(forced.out()).hasSize(5);

        // stderr here is not a terminal: no bar unless asked
        CliRun auto = run(urls(5), "fetch", "-");
        assertThat(String.join("\n", auto.err())).doesNotContain("\r");
        CliRun off = run(urls(5), "fetch", "--no-progress", "-");
        assertThat(String.join("\n", off.err())).doesNotContain("\r");
    }

    @Test
    void progressFollowsTheLaunchersTerminalTest() {
        String before = System.getProperty(Progress.STDERR_TTY_PROPERTY);
        try {
            System.setProperty(Progress.STDERR_TTY_PROPERTY, "true");
            assertThat(Progress.enabled(null)).isTrue();
            assertThat(Progress.enabled(false)).isFalse();
            System.setProperty(Progress.STDERR_TTY_PROPERTY, "false");
            assertThat(Progress.enabled(null)).isFalse();
            assertThat(Progress.enabled(true)).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty(Progress.STDERR_TTY_PROPERTY);
            } else {
                System.setProperty(Progress.STDERR_TTY_PROPERTY, before);
            }
        }
    }

    @Test
    void helpGoesToStdoutWithExitZero() {
        CliRun run = run("", "fetch", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(String.join("\n", run.out())).contains("--concurrency", "--rate", "--deadline", "Exit codes");
    }
}
