package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A real server: starts, answers on its port, stops by pid, leaves nothing behind, dies with a killed JVM. */
class PostgresServerTest {

    @Test
    void startsOnLoopbackAndCloseRemovesProcessAndFiles() throws Exception {
        PostgresServer server =
                PostgresServer.builder().setting("max_connections", "20").start();
        Path data = server.dataDirectory();
        long pid = server.pid();
        try {
            assertThat(server.isRunning()).isTrue();
            assertThat(server.host()).isEqualTo("127.0.0.1");
            assertThat(server.r2dbcUrl())
                    .isEqualTo("r2dbc:postgresql://postgres@127.0.0.1:" + server.port() + "/postgres");
            assertThat(server.jdbcUrl())
                    .isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres?user=postgres");
            assertThat(Files.readString(data.resolve("postmaster.pid"))).startsWith(Long.toString(pid));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(server.host(), server.port()), 2000);
                assertThat(socket.isConnected()).isTrue();
            }
            assertThat(data).startsWith(Path.of("target").toAbsolutePath());
        } finally {
            server.close();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(data.getParent()).doesNotExist();
        assertThat(server.isRunning()).isFalse();
        server.close(); // idempotent
    }

    @Test
    void twoServersGetTwoPorts() {
        try (PostgresServer first = PostgresServer.start();
                PostgresServer second = PostgresServer.start()) {
            assertThat(first.port()).isNotEqualTo(second.port());
            assertThat(first.pid()).isNotEqualTo(second.pid());
        }
    }

    @Test
    void sharedIsOneServer() {
        assertThat(PostgresServer.shared()).isSameAs(PostgresServer.shared());
        assertThat(PostgresServer.shared().isRunning()).isTrue();
    }

    /** A JVM killed with SIGKILL cannot close its server: the parent-death signal must stop it. */
    @Test
    void serverDiesWithAKilledJvm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(
                        java.toString(), "-cp", System.getProperty("java.class.path"), ChildJvm.class.getName())
                .redirectErrorStream(true)
                .start();
        long serverPid;
        Path directory = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
                if (line != null && line.startsWith("dir=")) {
                    directory = Path.of(line.substring(4).trim());
                }
            } while (line != null && !line.startsWith("pid="));
            assertThat(line).as("the child JVM prints its server's pid").isNotNull();
            serverPid = Long.parseLong(line.substring(4).trim());
            assertThat(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false))
                    .isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        !ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false));
        // what the killed JVM could not delete, the next start reaps
        assertThat(directory).isNotNull().exists();
        PostgresProcesses.reapStale(directory.getParent());
        assertThat(directory).doesNotExist();
    }

    @Test
    void settingChecksArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> PostgresServer.builder().setting(null, "1"))
                .withMessage("name");
        assertThatNullPointerException()
                .isThrownBy(() -> PostgresServer.builder().setting("a", null))
                .withMessage("value");
    }

    /** Started by {@link #serverDiesWithAKilledJvm()}: starts a server, prints its pid and waits to be killed. */
    static final class ChildJvm {
        public static void main(String[] args) throws Exception {
            PostgresServer server = PostgresServer.start();
            System.out.println("dir=" + server.dataDirectory().getParent());
            System.out.println("pid=" + server.pid());
            System.out.flush();
            Thread.sleep(List.of(60_000L).get(0));
        }
    }
}
