package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RedisServerTest {

    @Test
    void startsOnFreeLoopbackPortAndAnswers() throws IOException {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.isRunning()).isTrue();
            assertThat(send(redis.port(), "SET k v", "GET k")).containsExactly("+OK", "$1");
            // no persistence: RDB snapshots and the append-only file are off
            assertThat(send(redis.port(), "CONFIG GET save").get(0)).isEqualTo("*2 $4 save $0 ");
            assertThat(send(redis.port(), "CONFIG GET appendonly").get(0)).isEqualTo("*2 $10 appendonly $2 no");
        }
    }

    @Test
    void twoServersGetTwoPorts() {
        try (RedisServer a = RedisServer.start();
                RedisServer b = RedisServer.start()) {
            assertThat(a.port()).isNotEqualTo(b.port());
            assertThat(a.pid()).isNotEqualTo(b.pid());
        }
    }

    @Test
    void stopKillsTheProcessAndRestartComesBackEmptyOnTheSamePort() throws IOException {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            long pid = redis.pid();
            send(port, "SET k v");
            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();
            assertThatIllegalStateException().isThrownBy(redis::pid).withMessage("the Redis server is stopped");
            redis.stop(); // idempotent

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(send(port, "GET k")).containsExactly("$-1");
        }
    }

    /** The server must die with the JVM that started it, even one killed with SIGKILL (no shutdown hook runs). */
    @Test
    void serverDiesWhenItsJvmIsKilled() throws Exception {
        Process child = new ProcessBuilder(
                        Path.java(), "-cp", System.getProperty("java.class.path"), RedisServerChild.class.getName())
                .redirectErrorStream(true)
                .start();
        long serverPid;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("child output").startsWith("pid ");
            serverPid = Long.parseLong(line.substring(4).trim());
            assertThat(ProcessHandle.of(serverPid)).isPresent();
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(serverPid).map(h -> !h.isAlive()).orElse(true));
    }

    static List<String> send(int port, String... commands) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<String> replies = new ArrayList<>();
            for (String command : commands) {
                StringBuilder resp = new StringBuilder();
                String[] parts = command.split(" ");
                resp.append('*').append(parts.length).append("\r\n");
                for (String part : parts) {
                    resp.append('$')
                            .append(part.length())
                            .append("\r\n")
                            .append(part)
                            .append("\r\n");
                }
                out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                String reply = in.readLine();
                if (reply.startsWith("*")) { // a flat array of bulk strings: keep it on one line
                    StringBuilder all = new StringBuilder(reply);
                    for (int i = 0; i < 2 * Integer.parseInt(reply.substring(1)); i++) {
                        all.append(' ').append(in.readLine());
                    }
                    reply = all.toString();
                }
                replies.add(reply);
            }
            return replies;
        }
    }

    static final class Path {
        static String java() {
            return ProcessHandle.current().info().command().orElse("java");
        }
    }
}
