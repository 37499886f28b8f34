package io.github.reactorpatterns.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Runs an application {@link Mono} as a program's {@code main}: blocks the calling thread until the application
 * ends, cancels it on SIGINT or SIGTERM, waits a grace period for cleanup, and returns an exit code. The form of the
 * Python's {@code asyncio.run(main())} with {@code loop.add_signal_handler(SIGTERM, ...)} and the {@code shutdown}
 * coroutine that cancels every task.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     BackgroundTasks background = BackgroundTasks.create();
 *     DisposableServer server = ...;
 *     Mono<Void> app = server.onDispose();               // runs until cancelled
 *     System.exit(ReactiveMain.run(app, Duration.ofSeconds(10), background, server));
 * }
 * }</pre>
 *
 * <p><b>Exit codes.</b> {@link #EXIT_SUCCESS} (0) when the application completes (with or without a value),
 * {@link #EXIT_FAILURE} (1) when it fails (the error is logged) or the waiting thread is interrupted,
 * {@link #EXIT_SIGINT} (130) and {@link #EXIT_SIGTERM} (143) when a signal stopped it: 128 + the signal number, the
 * shell convention that the JVM itself follows.
 *
 * <p><b>Order of events on a signal.</b> The application's subscription is cancelled; the thread in {@code run}
 * waits for that cancellation to finish, then calls {@link BackgroundTasks#shutdown()} (cancels every background
 * task and waits for each), then disposes the extra resources in the order given. All of it shares one
 * {@code grace} budget: whatever has not finished when it is spent is abandoned and {@code run} returns. A second
 * signal during the grace period ends the JVM at once ({@link Runtime#halt(int)}) with the signal's code. When the
 * application ends by itself, the background tasks are given the same grace to finish
 * ({@link BackgroundTasks#drain(Duration)}) before the resources are disposed. The application counts as ended
 * once its cancellation has travelled up its chain (after a signal), or when its terminal signal arrives (when it
 * ends by itself: a {@code doFinally} inside it then runs just after, on the thread that ended it).
 *
 * <p><b>How signals are caught, and why.</b> A JVM shutdown hook runs on SIGINT, SIGTERM and SIGHUP alike and
 * cannot tell which signal arrived, and it runs while the JVM is already exiting. So {@code run} first installs
 * handlers for INT and TERM through {@code sun.misc.Signal} (module {@code jdk.unsupported}, present on every
 * OpenJDK build; used by reflection): they know the signal, let {@code run} return its exact code, and let the
 * cleanup run on the calling thread before the JVM exits. Where that is not possible (another JVM, {@code -Xrs},
 * a SIGINT the shell set to be ignored for a background job), a shutdown hook is the fallback: it cancels the
 * application and keeps the JVM alive for up to {@code grace} while {@code run} cleans up, and the JVM then exits
 * with its own status, which is 128 + the signal number as well. The hook is always registered, so that
 * {@code System.exit} from elsewhere also cancels the application gracefully. When {@code run} returns, the previous
 * signal handlers are restored and the hook is removed.
 *
 * <p>{@code run} may be called from any thread that may block, once at a time per JVM (signal handlers are
 * process-wide).
 */
public final class ReactiveMain {

    /** The exit code when the application completed: {@value}. */
    public static final int EXIT_SUCCESS = 0;
    /** The exit code when the application failed or the waiting thread was interrupted: {@value}. */
    public static final int EXIT_FAILURE = 1;
    /** The exit code after SIGINT (Ctrl-C): 128 + 2 = {@value}. */
    public static final int EXIT_SIGINT = 130;
    /** The exit code after SIGTERM ({@code kill}, {@code Process.destroy()}, Kubernetes): 128 + 15 = {@value}. */
    public static final int EXIT_SIGTERM = 143;

    private static final Logger LOG = Loggers.getLogger(ReactiveMain.class);

    private ReactiveMain() {}

    /**
     * Runs {@code app} until it ends or a signal stops it, and returns the exit code for {@code System.exit}.
     *
     * @param app the application; it is subscribed once, its values are ignored
     * @param grace how long cleanup may take after a signal, {@code >= 0}
     * @return {@link #EXIT_SUCCESS}, {@link #EXIT_FAILURE}, {@link #EXIT_SIGINT} or {@link #EXIT_SIGTERM}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws IllegalStateException if called on a non-blocking thread (such as {@code Schedulers.parallel()})
     */
    public static int run(Mono<?> app, Duration grace) {
        return run(app, grace, null, new Disposable[0]);
    }

    /**
     * Runs {@code app} until it ends or a signal stops it, then drains or shuts down {@code tasks} and disposes
     * {@code resources} in order, and returns the exit code for {@code System.exit}.
     *
     * @param app the application; it is subscribed once, its values are ignored
     * @param grace how long cleanup may take, {@code >= 0}
     * @param tasks the background tasks to drain (after a normal end) or shut down (after a signal)
     * @param resources disposed in this order after the background tasks; one that throws is logged and the rest
     *     are still disposed
     * @return {@link #EXIT_SUCCESS}, {@link #EXIT_FAILURE}, {@link #EXIT_SIGINT} or {@link #EXIT_SIGTERM}; when the
     *     JVM is already exiting through its shutdown hook (a signal without a {@code sun.misc.Signal} handler, or
     *     {@code System.exit} elsewhere) it is {@link #EXIT_SIGTERM}, but the JVM keeps the status it is exiting with
     * @throws NullPointerException if an argument or a resource is null
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws IllegalStateException if called on a non-blocking thread (such as {@code Schedulers.parallel()})
     */
    public static int run(Mono<?> app, Duration grace, @Nullable BackgroundTasks tasks, Disposable... resources) {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(resources, "resources");
        for (Disposable resource : resources) {
            Objects.requireNonNull(resource, "resources contains null");
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace >= 0 required but it was " + grace);
        }
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("ReactiveMain.run blocks until the application ends, which is not "
                    + "supported on the non-blocking thread "
                    + Thread.currentThread().getName());
        }
        return new Run(app, grace, tasks, List.of(resources)).execute();
    }

    /** One execution of {@link #run}: the state shared by the calling thread, the signal handlers and the hook. */
    private static final class Run {

        private final Mono<?> app;
        private final Duration grace;
        private final @Nullable BackgroundTasks tasks;
        private final List<Disposable> resources;

        /** Counted down when the app ends or a stop is requested. */
        private final CountDownLatch wake = new CountDownLatch(1);
        /** Counted down when the app's subscription has ended (terminal signal or finished cancellation). */
        private final CountDownLatch appEnded = new CountDownLatch(1);
        /** Counted down when run() has cleaned up. */
        private final CountDownLatch cleanedUp = new CountDownLatch(1);
        /** 0 until a signal or the JVM hook asks to stop, then the exit code to use. */
        private final AtomicInteger stopCode = new AtomicInteger();

        private volatile @Nullable Throwable failure;
        private volatile boolean appFinished;

        Run(Mono<?> app, Duration grace, @Nullable BackgroundTasks tasks, List<Disposable> resources) {
            this.app = app;
            this.grace = grace;
            this.tasks = tasks;
            this.resources = resources;
        }

        int execute() {
            Signals.Installed signals = Signals.install(List.of("INT", "TERM"), this::onSignal);
            Thread hook = new Thread(this::onJvmShutdown, "reactive-main-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            boolean interrupted = false;
            try {
                Disposable subscription = app.doFinally(signal -> {
                            appEnded.countDown();
                            wake.countDown();
                        })
                        .subscribe(value -> {}, error -> failure = error, () -> appFinished = true);
                try {
                    wake.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                long deadline = System.nanoTime() + grace.toNanos();
                boolean stopped = stopCode.get() != 0 || interrupted;
                boolean endedByItself = appEnded.getCount() == 0 && !interrupted;
                if (!endedByItself) {
                    subscription.dispose();
                    awaitUntil(appEnded, deadline);
                }
                if (tasks != null) {
                    Mono<Void> tasksDone = stopped ? tasks.shutdown() : tasks.drain(remaining(deadline));
                    CountDownLatch done = new CountDownLatch(1);
                    tasksDone.subscribe(null, null, done::countDown);
                    awaitUntil(done, deadline);
                    if (done.getCount() != 0) {
                        // the grace is spent: cancel what is left (close() does not wait for it)
                        tasks.close();
                    }
                }
                for (Disposable resource : resources) {
                    try {
                        resource.dispose();
                    } catch (Throwable t) {
                        LOG.error("ReactiveMain: disposing " + resource + " failed", t);
                    }
                }
                return exitCode(interrupted);
            } finally {
                cleanedUp.countDown();
                signals.restore().run();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException jvmShuttingDown) {
                    // the hook is running or about to: it waits for cleanedUp, which is now counted down
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private int exitCode(boolean interrupted) {
            int code = stopCode.get();
            if (code != 0) {
                return code;
            }
            Throwable error = failure;
            if (error != null) {
                LOG.error("ReactiveMain: the application failed", error);
                return EXIT_FAILURE;
            }
            if (interrupted || !appFinished) {
                return EXIT_FAILURE;
            }
            return EXIT_SUCCESS;
        }

        private void onSignal(int code) {
            if (!stopCode.compareAndSet(0, code)) {
                LOG.warn("ReactiveMain: second signal during the grace period, halting with " + stopCode.get());
                Runtime.getRuntime().halt(stopCode.get());
            }
            LOG.info("ReactiveMain: signal received, stopping the application (exit code " + code + ")");
            BackgroundTasks background = tasks;
            if (background != null && appEnded.getCount() == 0) {
                // the application already ended and its background tasks are draining: stop waiting for them
                background.close();
            }
            wake.countDown();
        }

        private void onJvmShutdown() {
            if (cleanedUp.getCount() == 0) {
                return;
            }
            // The JVM is exiting (a signal that no sun.misc handler caught, or System.exit): it exits with its own
            // status once this hook returns, so the code here only tells run() that it was stopped.
            stopCode.compareAndSet(0, EXIT_SIGTERM);
            BackgroundTasks background = tasks;
            if (background != null && appEnded.getCount() == 0) {
                background.close();
            }
            wake.countDown();
            awaitUntil(cleanedUp, System.nanoTime() + grace.toNanos());
        }

        private static Duration remaining(long deadline) {
            return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        }

        /** Waits for the latch until the deadline; gives up (without failing) when interrupted or out of time. */
        private static void awaitUntil(CountDownLatch latch, long deadline) {
            try {
                latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
