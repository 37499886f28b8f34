package io.github.reactorpatterns.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.publisher.PublisherProbe;

class ReactiveMainTest {

    /** Generous: a child JVM starts slowly on a loaded machine. */
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void sigtermCancelsTheAppRunsEveryCleanupInOrderAndExitsWith143() throws Exception {
        Path marker = dir.resolve("marker");
        Process child = startChild("never", marker, 60_000);
        child.destroy(); // SIGTERM
        assertThat(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("child ended")
                .isTrue();

        assertThat(child.exitValue()).isEqualTo(ReactiveMain.EXIT_SIGTERM);
        assertThat(Files.readAllLines(marker)).containsExactly("app cancel", "task cancel", "resource", "exit 143");
    }

    @Test
    void sigintExitsWith130() throws Exception {
        Path kill = Path.of("/bin/kill");
        assumeTrue(Files.isExecutable(kill), "needs /bin/kill to send SIGINT");
        Path marker = dir.resolve("marker");
        Process child = startChild("never", marker, 60_000);
        Process sender = new ProcessBuilder(kill.toString(), "-INT", Long.toString(child.pid())).start();
        assertThat(sender.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("child ended")
                .isTrue();

        assertThat(child.exitValue()).isEqualTo(ReactiveMain.EXIT_SIGINT);
        assertThat(Files.readAllLines(marker)).containsExactly("app cancel", "task cancel", "resource", "exit 130");
    }

    @Test
    void systemExitElsewhereStillCancelsTheAppThroughTheShutdownHook() throws Exception {
        Path marker = dir.resolve("marker");
        Process child = startChild("exit", marker, 60_000);
        assertThat(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("child ended")
                .isTrue();

        // the JVM keeps the status System.exit asked for; the hook held it until run() had cleaned up
        assertThat(child.exitValue()).isEqualTo(7);
        assertThat(Files.readAllLines(marker)).startsWith("app cancel", "task cancel", "resource");
    }

    @Test
    void anAppThatFailsExitsWith1AfterCleanup() throws Exception {
        Path marker = dir.resolve("marker");
        Process child = startChild("fail", marker, 200);
        assertThat(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("child ended")
                .isTrue();

        assertThat(child.exitValue()).isEqualTo(ReactiveMain.EXIT_FAILURE);
        // after a normal end the background task may run for the grace (200 ms), then it is cancelled
        assertThat(Files.readAllLines(marker)).containsExactly("app onError", "task cancel", "resource", "exit 1");
    }

    private Process startChild(String mode, Path marker, long graceMillis) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ReactiveMainTestApp.class.getName(),
                        mode,
                        marker.toString(),
                        Long.toString(graceMillis))
                .redirectError(dir.resolve("stderr-" + mode).toFile());
        Process child = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String first = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (IOException e) {
                        return "read failed: " + e;
                    }
                })
                .get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(first)
                .as(
                        "child stderr: %s",
                        Files.exists(dir.resolve("stderr-" + mode))
                                ? Files.readString(dir.resolve("stderr-" + mode))
                                : "")
                .isEqualTo("ready");
        return child;
    }

    @Test
    void aCompletedAppReturns0AfterDrainingTasksAndDisposingResourcesInOrder() {
        List<String> events = new CopyOnWriteArrayList<>();
        BackgroundTasks tasks = BackgroundTasks.create();
        Sinks.Empty<Void> taskEnd = Sinks.empty();
        // doOnTerminate, not doFinally: a doFinally inside a task that completes by itself runs after the completion
        // has reached the registry, so it may run after run() went on (see BackgroundTasks)
        tasks.spawn(taskEnd.asMono().doOnTerminate(() -> events.add("task completed")));
        Mono<String> app = Mono.fromCallable(() -> "done").doFinally(s -> {
            events.add("app " + s);
            // the task ends within the grace: drained, not cancelled
            Schedulers.parallel().schedule(taskEnd::tryEmitEmpty, 10, TimeUnit.MILLISECONDS);
        });

        int code = ReactiveMain.run(
                app, Duration.ofSeconds(30), tasks, () -> events.add("first"), () -> events.add("second"));

        assertThat(code).isEqualTo(ReactiveMain.EXIT_SUCCESS);
        assertThat(events).containsExactly("app " + SignalType.ON_COMPLETE, "task completed", "first", "second");
    }

    @Test
    void anEmptyAppSucceedsAndAFailedOneReturns1() {
        assertThat(ReactiveMain.run(Mono.empty(), Duration.ZERO)).isEqualTo(ReactiveMain.EXIT_SUCCESS);
        assertThat(ReactiveMain.run(Mono.error(new IOException("boom")), Duration.ZERO))
                .isEqualTo(ReactiveMain.EXIT_FAILURE);
    }

    @Test
    void aResourceThatThrowsDoesNotStopTheOthers() {
        AtomicInteger disposed = new AtomicInteger();
        Disposable broken = () -> {
            throw new IllegalStateException("broken");
        };
        int code = ReactiveMain.run(Mono.empty(), Duration.ZERO, null, broken, disposed::incrementAndGet);
        assertThat(code).isEqualTo(ReactiveMain.EXIT_SUCCESS);
        assertThat(disposed).hasValue(1);
    }

    @Test
    void interruptingTheWaitingThreadCancelsTheAppAndReturns1() throws Exception {
        PublisherProbe<Void> app = PublisherProbe.of(Mono.never());
        AtomicInteger code = new AtomicInteger(-1);
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            code.set(ReactiveMain.run(app.mono(), Duration.ofSeconds(5)));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        runner.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(app::wasSubscribed);
        runner.interrupt();
        runner.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(code).hasValue(ReactiveMain.EXIT_FAILURE);
        app.assertWasCancelled();
        assertThat(stillInterrupted.get()).as("interrupt status kept").isTrue();
    }

    @Test
    void refusesToBlockANonBlockingThread() {
        Mono<Integer> onParallel = Mono.fromCallable(() -> ReactiveMain.run(Mono.empty(), Duration.ZERO))
                .subscribeOn(Schedulers.parallel());
        assertThatIllegalStateException()
                .isThrownBy(() -> onParallel.block(Duration.ofSeconds(10)))
                .withMessageStartingWith("ReactiveMain.run blocks until the application ends, which is not "
                        + "supported on the non-blocking thread parallel-");
    }

    @Test
    void badArgumentsFailAtOnce() {
        assertThatNullPointerException()
                .isThrownBy(() -> ReactiveMain.run(null, Duration.ZERO))
                .withMessage("app");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactiveMain.run(Mono.empty(), null))
                .withMessage("grace");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactiveMain.run(Mono.empty(), Duration.ZERO, null, (Disposable[]) null))
                .withMessage("resources");
        assertThatNullPointerException()
                .isThrownBy(() -> ReactiveMain.run(Mono.empty(), Duration.ZERO, null, () -> {}, null))
                .withMessage("resources contains null");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ReactiveMain.run(Mono.empty(), Duration.ofSeconds(-2)))
                .withMessage("grace >= 0 required but it was PT-2S");
    }
}
