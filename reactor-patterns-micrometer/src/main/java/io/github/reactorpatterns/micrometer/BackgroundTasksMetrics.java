package io.github.reactorpatterns.micrometer;

import java.util.Objects;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters for one {@link BackgroundTasks} registry, read from its own counts: tasks running now, and
 * tasks finished, failed and cancelled since it was created.
 *
 * <pre>{@code
 * BackgroundTasksMetrics.of("notifications", background).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code name}, plus the extra tags)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #ACTIVE}</td><td>gauge</td><td>tasks spawned and not ended
 *       ({@link BackgroundTasks#active()})</td></tr>
 *   <tr><td>{@value #FINISHED}</td><td>counter</td><td>tasks that completed by themselves
 *       ({@link BackgroundTasks#finished()})</td></tr>
 *   <tr><td>{@value #FAILED}</td><td>counter</td><td>tasks that failed ({@link BackgroundTasks#failed()})</td></tr>
 *   <tr><td>{@value #CANCELLED}</td><td>counter</td><td>tasks cancelled: disposed, or cut short by a shutdown
 *       ({@link BackgroundTasks#cancelled()})</td></tr>
 * </table>
 *
 * <p>Every spawned task is in exactly one of these at any time. The meters read the registry when scraped, so
 * they are exact whenever the binder is bound. The binder holds the registry of tasks weakly, as Micrometer gauges
 * do. Thread-safe.
 */
public final class BackgroundTasksMetrics implements MeterBinder {

    /** Gauge of running tasks. */
    public static final String ACTIVE = "reactor.patterns.background.tasks.active";
    /** Counter of tasks that completed by themselves. */
    public static final String FINISHED = "reactor.patterns.background.tasks.finished";
    /** Counter of tasks that failed. */
    public static final String FAILED = "reactor.patterns.background.tasks.failed";
    /** Counter of cancelled tasks. */
    public static final String CANCELLED = "reactor.patterns.background.tasks.cancelled";

    private final Tags tags;
    private final BackgroundTasks tasks;

    private BackgroundTasksMetrics(Tags tags, BackgroundTasks tasks) {
        this.tags = tags;
        this.tasks = tasks;
    }

    /**
     * Creates a binder for {@code tasks} whose meters carry {@code name=<name>}.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param tasks the registry of background tasks to observe
     * @return a new binder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static BackgroundTasksMetrics of(String name, BackgroundTasks tasks) {
        return of(name, tasks, Tags.empty());
    }

    /**
     * Like {@link #of(String, BackgroundTasks)}, with extra tags on every meter.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param tasks the registry of background tasks to observe
     * @param tags extra tags
     * @return a new binder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static BackgroundTasksMetrics of(String name, BackgroundTasks tasks, Iterable<Tag> tags) {
        Tags all = MetricTags.of(name, tags);
        return new BackgroundTasksMetrics(all, Objects.requireNonNull(tasks, "tasks"));
    }

    /**
     * Registers the meters in {@code registry}. May be called for several registries.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Gauge.builder(ACTIVE, tasks, BackgroundTasks::active)
                .tags(tags)
                .description("Background tasks running")
                .register(registry);
        FunctionCounter.builder(FINISHED, tasks, BackgroundTasks::finished)
                .tags(tags)
                .description("Background tasks that completed by themselves")
                .register(registry);
        FunctionCounter.builder(FAILED, tasks, BackgroundTasks::failed)
                .tags(tags)
                .description("Background tasks that failed")
                .register(registry);
        FunctionCounter.builder(CANCELLED, tasks, BackgroundTasks::cancelled)
                .tags(tags)
                .description("Background tasks cancelled")
                .register(registry);
    }

    @Override
    public String toString() {
        return "BackgroundTasksMetrics" + tags;
    }
}
