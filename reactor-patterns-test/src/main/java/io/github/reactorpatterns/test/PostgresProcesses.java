package io.github.reactorpatterns.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Process handling for {@link PostgresServer}: one long-lived launcher thread, signals by process id, and the
 * reaper of servers that a killed JVM left behind.
 *
 * <p>Why one launcher thread: a server started through {@code setpriv --pdeathsig} gets its signal when the
 * <em>thread</em> that forked it ends, not the JVM. Forking every server from this daemon thread, which lives as
 * long as the JVM, ties the servers' lives to the JVM's.
 */
final class PostgresProcesses {

    /** The file in a server's directory that names the JVM that owns the server. */
    static final String OWNER_FILE = "owner.pid";

    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "postgres-server-launcher");
        thread.setDaemon(true);
        return thread;
    });

    private PostgresProcesses() {}

    /** Starts {@code builder} on the launcher thread. */
    static Process launch(ProcessBuilder builder) throws IOException {
        Future<Process> started = LAUNCHER.submit(builder::start);
        try {
            return started.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command(), interrupted);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        } catch (TimeoutException slow) {
            started.cancel(true);
            throw new IOException("the launcher thread did not start " + builder.command() + " within 30 s", slow);
        }
    }

    /** Runs a short command to completion and returns its exit code; its output goes to {@code log}. */
    static int run(List<String> command, Path log, Duration timeout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish within " + timeout.toSeconds() + " s");
            }
            return process.exitValue();
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command, interrupted);
        }
    }

    /** Sends {@code signal} (such as {@code INT}) to process {@code pid}; false if it could not be sent. */
    static boolean signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException cannotRun) {
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits up to {@code timeout} for process {@code pid} to end; true if it is gone. */
    static boolean awaitExit(long pid, Duration timeout) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return true;
        }
        try {
            handle.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException stillAlive) {
            return false;
        } catch (ExecutionException unexpected) {
            return !handle.get().isAlive();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return !handle.get().isAlive();
        }
    }

    /**
     * Stops the servers under {@code base} whose owning JVM is gone (it was killed before it could stop them) and
     * deletes their directories. A server counts as ours only if its postmaster's command line names its directory.
     */
    static void reapStale(Path base) {
        if (!Files.isDirectory(base)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Optional<Long> owner = readPid(dir.resolve(OWNER_FILE));
                if (owner.isEmpty()
                        || owner.get() == ProcessHandle.current().pid()
                        || ProcessHandle.of(owner.get())
                                .map(ProcessHandle::isAlive)
                                .orElse(false)) {
                    continue;
                }
                readPid(dir.resolve("data").resolve("postmaster.pid"))
                        .filter(pid -> commandLineMentions(pid, dir))
                        .ifPresent(pid -> {
                            signal(pid, "QUIT");
                            if (!awaitExit(pid, Duration.ofSeconds(10))) {
                                signal(pid, "KILL");
                                awaitExit(pid, Duration.ofSeconds(5));
                            }
                        });
                try {
                    PostgresBinaries.deleteTree(dir);
                } catch (UncheckedIOException busy) {
                    // another reaper got there first, or a file is still held: leave it for the next run
                }
            }
        } catch (IOException unreadable) {
            // nothing to reap that we can see
        }
    }

    static Optional<Long> readPid(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException absent) {
            return Optional.empty();
        }
    }

    private static boolean commandLineMentions(long pid, Path dir) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8)
                    .contains(dir.toAbsolutePath().toString());
        } catch (IOException gone) {
            return false;
        }
    }
}
