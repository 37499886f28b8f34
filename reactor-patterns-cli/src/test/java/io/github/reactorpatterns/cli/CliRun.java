package io.github.reactorpatterns.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the tool in-process: the exit code and what it wrote to stdout and stderr, as lines.
 *
 * @param exitCode the exit code
 * @param out      stdout lines
 * @param err      stderr lines
 */
record CliRun(int exitCode, List<String> out, List<String> err) {

    static CliRun run(FetchEngine.Factory engines, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = ReactorPatternsCli.execute(args, io, engines);
        return new CliRun(code, lines(out), lines(err));
    }

    static CliRun run(String stdin, String... args) {
        return run(PooledFetchEngine::new, stdin, args);
    }

    private static List<String> lines(ByteArrayOutputStream bytes) {
        String text = bytes.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    /** The stderr line that starts with {@code prefix}. */
    String errLine(String prefix) {
        return err.stream()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stderr line starting with '" + prefix + "' in " + err));
    }
}
