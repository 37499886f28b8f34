package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it: {@code java -jar reactor-patterns.jar ...} in a child process. Runs in the
 * {@code integration-test} phase (maven-failsafe-plugin), after {@code package} built the jar.
 */
class ShadedJarIT {

    @TempDir
    Path dir;

    /**
     * Exit code, stdout and stderr of a child process.
     *
     * @param exitCode the exit code
     * @param out      stdout
     * @param err      stderr
     */
    record Result(int exitCode, String out, String err) {}

    private Result java(String stdin, String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("cli.jar");
        assertThat(jar).as("failsafe passes the jar's path as cli.jar").isNotNull();
        assertThat(new File(jar)).exists();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar);
        command.addAll(List.of(args));
        Path in = Files.writeString(dir.resolve("stdin.txt"), stdin);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the jar did not exit; stderr: " + Files.readString(err));
        }
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void fetchRunsFromTheJar() throws Exception {
        try (MockHttpServer server = MockHttpServer.start()) {
            server.dispatcher(r -> MockResponse.of(200, "from " + r.path()));
            String urls = server.url("/a") + "\n# comment\n" + server.url("/b") + "\n";
            Result result = java(urls, "fetch", "--ordered", "-");

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out().lines().toList())
                    .containsExactly(
                            "{\"url\":\"" + server.url("/a") + "\",\"status\":200,\"bytes\":7,\"ms\":"
                                    + msOf(result.out(), 0) + ",\"attempts\":1,\"error\":null}",
                            "{\"url\":\"" + server.url("/b") + "\",\"status\":200,\"bytes\":7,\"ms\":"
                                    + msOf(result.out(), 1) + ",\"attempts\":1,\"error\":null}");
            assertThat(result.err()).contains("requests: 2 in ", "2 succeeded, 0 failed");
            assertThat(server.requestCount()).isEqualTo(2);
        }
    }

    private static String msOf(String out, int line) {
        String l = out.lines().toList().get(line);
        int start = l.indexOf("\"ms\":") + 5;
        return l.substring(start, l.indexOf(',', start));
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Result result = java("", "fetch", "--rate", "fast", "-");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("reactor-patterns fetch: Invalid value for option '--rate': expected N/s or"
                        + " N/m (e.g. 100/s, 30/m) but was 'fast' (see 'reactor-patterns fetch --help')\n");
    }

    @Test
    void demoRunsFromTheJar() throws Exception {
        Result result = java("", "demo");

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("Summary").containsPattern("All \\d+ patterns did what they promise\\.");
    }

    @Test
    void demoStopsGracefullyOnSigterm() throws Exception {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("cli.jar"),
                "demo");
        Path out = dir.resolve("demo-out.txt");
        Path err = dir.resolve("demo-err.txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readString(out).contains("[1/"));
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(Files.readString(err))
                .contains("demo: interrupted after ", "the server and the connection pool were shut down");
        assertThat(Files.readString(out)).doesNotContain("Summary");
    }

    @Test
    void fetchStopsGracefullyOnSigtermWithASummary() throws Exception {
        try (MockHttpServer server = MockHttpServer.start()) {
            server.dispatcher(r -> MockResponse.builder().noResponse().build());
            Path in = Files.writeString(dir.resolve("hanging.txt"), server.url("/1") + "\n" + server.url("/2") + "\n");
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    System.getProperty("cli.jar"),
                    "fetch",
                    in.toString());
            Path out = dir.resolve("fetch-out.txt");
            Path err = dir.resolve("fetch-err.txt");
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> server.requestCount() == 2);
                process.destroy(); // SIGTERM
                assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                process.destroyForcibly();
            }
            assertThat(process.exitValue()).isEqualTo(143);
            assertThat(Files.readString(err))
                    .contains("reactor-patterns fetch: interrupted after 0 of 2 URLs", "requests: 0 in ");
        }
    }

    @Test
    void versionComesFromTheManifest() throws Exception {
        Result result = java("", "--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("reactor-patterns 0.");
    }
}
