package io.github.reactorpatterns.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.internal.Durations;
import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.queue.WorkQueue;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Drains every {@link WorkQueue} and {@link BackgroundTasks} bean when the application context stops: queued and
 * running jobs, then background tasks, may finish for up to the grace period before the rest are cancelled. The
 * Spring counterpart of a FastAPI shutdown hook that awaits its background tasks.
 *
 * <h2>Why this phase</h2>
 * Spring stops {@code SmartLifecycle} beans in descending phase order, each phase completely (up to
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, 30 seconds by default) before the next, and destroys beans
 * ({@code @PreDestroy}, {@code close()}) only after every phase has stopped. In a Spring Boot 4 WebFlux application:
 * <ol>
 *   <li>{@code WebServerGracefulShutdownLifecycle}, phase {@code SmartLifecycle.DEFAULT_PHASE - 1024}: the server
 *       stops accepting connections and waits for the requests in flight (which may still spawn tasks or put
 *       jobs);</li>
 *   <li>{@code WebServerStartStopLifecycle}, phase {@code SmartLifecycle.DEFAULT_PHASE - 2048}: the server
 *       stops;</li>
 *   <li><b>this drain, phase {@link #DEFAULT_PHASE} ({@code SmartLifecycle.DEFAULT_PHASE - 3072})</b>: nothing can
 *       arrive any more from requests, and every connection pool and event loop is still up;</li>
 *   <li>{@code ReactorResourceFactory}, phase 0: disposes Reactor Netty's shared event loops and connection pools,
 *       after which a WebClient call in a background task fails with "Connection prematurely closed" (connection
 *       factories such as Lettuce's also stop at phase 0);</li>
 *   <li>bean destruction: too late to drain, which is why draining in {@code @PreDestroy} loses work.</li>
 * </ol>
 *
 * <p>The work queues are drained first ({@link WorkQueue#shutdown(Duration)}) since their jobs may spawn background
 * tasks, then the background tasks ({@link BackgroundTasks#drain(Duration)}) with what is left of the grace period.
 * Jobs that never started are logged at WARN level with their count; nothing is dropped silently. The stop is
 * asynchronous: the lifecycle processor's thread is not blocked, and its per-phase timeout still applies, so keep
 * the grace period within it.
 *
 * <p>This bean has no {@code close()} and the auto-configuration defines its {@code BackgroundTasks} with
 * {@code destroyMethod = ""}, so that Spring's inferred destroy method never cancels work this lifecycle drains.
 */
public final class ReactorPatternsShutdown implements SmartLifecycle {

    /** The default phase: {@code SmartLifecycle.DEFAULT_PHASE - 3072}; see the class documentation. */
    public static final int DEFAULT_PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    private static final Log LOG = LogFactory.getLog(ReactorPatternsShutdown.class);

    private final ListableBeanFactory beans;
    private final Duration grace;
    private final int phase;
    private volatile boolean running;
    private volatile Duration lastDrain = Duration.ZERO;

    /**
     * Creates the lifecycle.
     *
     * @param beans where the {@code WorkQueue} and {@code BackgroundTasks} beans are looked up when stopping
     * @param grace how long the work may go on before it is cancelled, {@code >= 0}
     * @param phase the {@code SmartLifecycle} phase
     * @throws NullPointerException if {@code beans} or {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public ReactorPatternsShutdown(ListableBeanFactory beans, Duration grace, int phase) {
        this.beans = Objects.requireNonNull(beans, "beans");
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace >= 0 required but it was " + Durations.format(grace));
        }
        this.grace = grace;
        this.phase = phase;
    }

    /** Marks the lifecycle running; there is nothing to start. */
    @Override
    public void start() {
        running = true;
    }

    /** Drains synchronously; Spring calls {@link #stop(Runnable)} instead. */
    @Override
    public void stop() {
        drain().block();
    }

    /**
     * Drains the work queues, then the background tasks, and runs {@code callback} when both are done.
     *
     * @param callback the lifecycle processor's completion callback
     */
    @Override
    public void stop(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        drain().subscribe(null, error -> callback.run(), callback);
    }

    /**
     * The drain that {@link #stop(Runnable)} runs, for callers outside a Spring lifecycle. Never errors.
     *
     * @return a {@code Mono} that completes when every queue and background task registry has ended
     */
    public Mono<Void> drain() {
        return Mono.defer(() -> {
            running = false;
            long start = System.nanoTime();
            @SuppressWarnings("rawtypes")
            Map<String, WorkQueue> queues = beans.getBeansOfType(WorkQueue.class, false, false);
            Map<String, BackgroundTasks> tasks = beans.getBeansOfType(BackgroundTasks.class, false, false);
            List<Mono<Void>> queueDrains = new ArrayList<>();
            queues.forEach((name, queue) -> queueDrains.add(shutdownQueue(name, queue)));
            return Flux.merge(queueDrains)
                    .then(Mono.defer(() -> {
                        Duration left = grace.minusNanos(System.nanoTime() - start);
                        Duration taskGrace = left.isNegative() ? Duration.ZERO : left;
                        return Flux.fromIterable(tasks.values())
                                .flatMap(registry -> registry.drain(taskGrace))
                                .then();
                    }))
                    .onErrorResume(error -> {
                        LOG.error("reactor-patterns shutdown drain failed", error);
                        return Mono.empty();
                    })
                    .then(Mono.fromRunnable(() -> {
                        lastDrain = Duration.ofNanos(System.nanoTime() - start);
                        LOG.info("reactor-patterns drained " + queues.size() + " work queue(s) and " + tasks.size()
                                + " background task registr" + (tasks.size() == 1 ? "y" : "ies") + " in "
                                + TimeUnit.NANOSECONDS.toMillis(lastDrain.toNanos()) + " ms");
                    }));
        });
    }

    private Mono<Void> shutdownQueue(String name, WorkQueue<?> queue) {
        return queue.shutdown(grace)
                .doOnNext(neverStarted -> {
                    if (!neverStarted.isEmpty()) {
                        LOG.warn("WorkQueue '" + name + "' shut down with " + neverStarted.size()
                                + " job(s) never started after a grace period of " + Durations.format(grace));
                    }
                })
                .then();
    }

    /**
     * Whether the lifecycle runs, that is, has started and not begun to drain.
     *
     * @return {@code true} between start and stop
     */
    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * The phase this lifecycle stops in.
     *
     * @return the configured phase, {@link #DEFAULT_PHASE} unless set
     */
    @Override
    public int getPhase() {
        return phase;
    }

    /**
     * How long the last drain took, for logs and tests.
     *
     * @return the duration of the last drain, zero before any
     */
    public Duration lastDrain() {
        return lastDrain;
    }

    /**
     * The grace period given to the work on shutdown.
     *
     * @return the grace period
     */
    public Duration grace() {
        return grace;
    }

    @Override
    public String toString() {
        return "ReactorPatternsShutdown[grace=" + Durations.format(grace) + ", phase=" + phase + "]";
    }
}
