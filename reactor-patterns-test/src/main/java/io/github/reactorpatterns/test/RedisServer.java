package io.github.reactorpatterns.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * A real Redis server for tests: started on a free loopback port, without persistence, stopped by its process id.
 *
 * <p>The server is the {@code redis-server} found on the {@code PATH}; when there is none, the Linux or macOS binary
 * that {@code com.github.codemonstur:embedded-redis} ships (Redis 6.2) is extracted and run, so a machine with only
 * a JDK runs every Redis test. Add {@code embedded-redis} to your test dependencies for that fallback (it is an
 * optional dependency of this test kit).
 *
 * <p>The server never outlives the JVM that started it: it runs under a parent-death signal where the system offers
 * one ({@code setpriv --pdeathsig KILL} on Linux), a JVM shutdown hook kills it on a normal exit, and servers left by
 * an earlier JVM that was killed are found by their pid files and killed when the next server starts. Its working
 * files live under {@code target/redis-servers} when the current directory has a {@code target} folder, else under
 * the temporary directory.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     RedisClient client = RedisClient.create(redis.uri());
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. Starting blocks the calling thread until the server answers {@code PING} (use it from test set-up,
 * never on a non-blocking thread).
 */
public final class RedisServer implements AutoCloseable {

    /** How long {@link #start()} waits for the server to answer {@code PING}: 20 seconds. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(20);

    private static final int PORT_ATTEMPTS = 5;
    private static final String EMBEDDED_VERSION = "6.2.6-v5";
    private static final Set<RedisServer> RUNNING = ConcurrentHashMap.newKeySet();
    /**
     * One long-lived thread forks every server: Linux delivers the parent-death signal when the forking thread ends,
     * not the process, so a server started from a short-lived thread would be killed with that thread.
     */
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "redis-server-launcher");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (RedisServer server : RUNNING) {
                                server.kill();
                            }
                        },
                        "redis-server-shutdown"));
    }

    private final Path dir;
    private final String executable;
    private volatile int port;
    private volatile @Nullable Process process;

    private RedisServer(Path dir, String executable) {
        this.dir = dir;
        this.executable = executable;
    }

    /**
     * Starts a server on a free loopback port and waits until it answers.
     *
     * @return the running server; {@link #close()} stops it
     * @throws IllegalStateException if no {@code redis-server} is on the {@code PATH} and embedded-redis is not on
     *         the class path, or the server did not answer within {@link #DEFAULT_START_TIMEOUT}
     * @throws UncheckedIOException if the binary or the working directory cannot be written
     */
    public static RedisServer start() {
        Path dir = workDirectory();
        reapStale(dir);
        RedisServer server = new RedisServer(dir, executable(dir));
        server.launch(0);
        return server;
    }

    /**
     * The loopback address the server listens on.
     *
     * @return {@code 127.0.0.1}
     */
    public String host() {
        return "127.0.0.1";
    }

    /**
     * The port the server listens on; the same port after {@link #restart()}.
     *
     * @return the TCP port
     */
    public int port() {
        return port;
    }

    /**
     * The server's address as a Redis URI, for {@code RedisClient.create(uri)}.
     *
     * @return for example {@code redis://127.0.0.1:6379}
     */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    /**
     * The process id of the running server.
     *
     * @return the pid
     * @throws IllegalStateException if the server is stopped
     */
    public long pid() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("the Redis server is stopped");
        }
        return p.pid();
    }

    /**
     * The program this server runs: a {@code redis-server} from the {@code PATH}, or the extracted embedded binary.
     *
     * @return the executable's path
     */
    public String executable() {
        return executable;
    }

    /**
     * Whether the server process is alive.
     *
     * @return {@code true} while it runs
     */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Kills the server (by process id, {@code SIGKILL}) and waits until it is gone; all its data is lost. Does
     * nothing if it is already stopped. {@link #restart()} starts it again on the same port.
     */
    public void stop() {
        kill();
    }

    /**
     * Starts a stopped server again on the same port, empty (nothing persists), and waits until it answers; stops
     * it first if it runs. Clients reconnect to the same {@link #uri()}.
     *
     * @throws IllegalStateException if the server did not answer within {@link #DEFAULT_START_TIMEOUT}, for example
     *         because another process took the port meanwhile
     */
    public void restart() {
        kill();
        launch(port);
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + (isRunning() ? ", pid " + pid() : ", stopped") + "]";
    }

    private void launch(int fixedPort) {
        Future<?> started = LAUNCHER.submit(() -> {
            IllegalStateException failure = null;
            for (int attempt = 0; attempt < (fixedPort == 0 ? PORT_ATTEMPTS : 1); attempt++) {
                int candidate = fixedPort == 0 ? freePort() : fixedPort;
                try {
                    startOn(candidate);
                    return;
                } catch (IllegalStateException e) {
                    // most likely a port taken between choosing and binding it: try another one
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            throw Objects.requireNonNull(failure);
        });
        try {
            started.get(DEFAULT_START_TIMEOUT.toMillis() * PORT_ATTEMPTS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Redis server did not start", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Redis server", e);
        }
    }

    /** Runs on the launcher thread. */
    private void startOn(int candidate) {
        Path log = dir.resolve("redis-" + candidate + ".log");
        List<String> command = new ArrayList<>();
        Optional<String> setpriv = onPath("setpriv");
        if (setpriv.isPresent()) {
            command.add(setpriv.get());
            command.add("--pdeathsig");
            command.add("KILL");
            command.add("--");
        }
        command.add(executable);
        command.add("--port");
        command.add(Integer.toString(candidate));
        command.add("--bind");
        command.add(host());
        command.add("--save");
        command.add("");
        command.add("--appendonly");
        command.add("no");
        command.add("--daemonize");
        command.add("no");
        command.add("--protected-mode");
        command.add("no");
        command.add("--dir");
        command.add(dir.toString());
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable, e);
        }
        Path pidFile = dir.resolve("redis-" + candidate + ".pid");
        try {
            Files.writeString(pidFile, Long.toString(p.pid()));
        } catch (IOException e) {
            p.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + DEFAULT_START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                deletePidFile(pidFile);
                throw new IllegalStateException(
                        "redis-server on port " + candidate + " exited with " + p.exitValue() + ": " + tail(log));
            }
            if (answersPing(candidate)) {
                this.port = candidate;
                this.process = p;
                RUNNING.add(this);
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        p.destroyForcibly();
        deletePidFile(pidFile);
        throw new IllegalStateException("redis-server on port " + candidate + " did not answer PING within "
                + DEFAULT_START_TIMEOUT.toSeconds() + " s: " + tail(log));
    }

    private synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        RUNNING.remove(this);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deletePidFile(dir.resolve("redis-" + port + ".pid"));
    }

    private boolean answersPing(int candidate) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = 0;
            while (read < reply.length) {
                int n = in.read(reply, read, reply.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path workDirectory() {
        Path target = Paths.get("target");
        Path dir = Files.isDirectory(target)
                ? target.resolve("redis-servers")
                : Paths.get(System.getProperty("java.io.tmpdir"), "reactor-patterns-redis-servers");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.toAbsolutePath();
    }

    /** Kills servers whose JVM was killed before it could stop them (their pid files are still there). */
    private static void reapStale(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "redis-*.pid")) {
            for (Path file : files) {
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(file).trim());
                } catch (IOException | NumberFormatException e) {
                    deletePidFile(file);
                    continue;
                }
                boolean ours = RUNNING.stream().anyMatch(s -> {
                    Process p = s.process;
                    return p != null && p.pid() == pid;
                });
                if (ours) {
                    continue;
                }
                ProcessHandle.of(pid)
                        .filter(h -> h.info()
                                .command()
                                .map(c -> c.contains("redis-server"))
                                .orElse(false))
                        .ifPresent(ProcessHandle::destroyForcibly);
                deletePidFile(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deletePidFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a left-over pid file is reaped (and re-checked against the live process) by the next start
        }
    }

    private static String executable(Path dir) {
        Optional<String> installed = onPath("redis-server");
        if (installed.isPresent()) {
            return installed.get();
        }
        String resource = "redis-server-" + EMBEDDED_VERSION + "-" + platform();
        Path binary = dir.resolve("bin").resolve(resource);
        try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on the PATH and no " + resource
                        + " on the class path: add com.github.codemonstur:embedded-redis to the test dependencies");
            }
            if (!Files.isExecutable(binary)) {
                Files.createDirectories(binary.getParent());
                Path part = Files.createTempFile(binary.getParent(), resource, ".part");
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                if (!part.toFile().setExecutable(true)) {
                    throw new IOException("cannot make " + part + " executable");
                }
                Files.move(part, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to " + binary, e);
        }
        return binary.toString();
    }

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm");
        if (os.contains("mac")) {
            return arm ? "darwin-arm64" : "darwin-amd64";
        }
        if (os.contains("linux") && !arm && (arch.contains("64"))) {
            return "linux-amd64";
        }
        throw new IllegalStateException("no embedded redis-server " + EMBEDDED_VERSION + " for " + os + "/" + arch
                + ": install redis-server on the PATH");
    }

    private static Optional<String> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(entry, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
