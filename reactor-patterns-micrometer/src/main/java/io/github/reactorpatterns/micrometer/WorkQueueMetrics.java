package io.github.reactorpatterns.micrometer;

import java.util.Objects;

import io.github.reactorpatterns.queue.WorkQueue;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters for one {@link WorkQueue}, read from its own counts: jobs queued and running now, and jobs done,
 * failed and returned by a shutdown since it was built.
 *
 * <pre>{@code
 * WorkQueueMetrics.of("emails", queue).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code name}, plus the extra tags)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #QUEUED}</td><td>gauge</td><td>jobs accepted and waiting for a worker
 *       ({@link WorkQueue#size()})</td></tr>
 *   <tr><td>{@value #RUNNING}</td><td>gauge</td><td>jobs running ({@link WorkQueue#inFlight()})</td></tr>
 *   <tr><td>{@value #DONE}</td><td>counter</td><td>jobs whose handler completed
 *       ({@link WorkQueue#completed()})</td></tr>
 *   <tr><td>{@value #FAILED}</td><td>counter</td><td>jobs that failed, including those cancelled by a shutdown
 *       after its grace period ({@link WorkQueue#failed()})</td></tr>
 *   <tr><td>{@value #RETURNED}</td><td>counter</td><td>jobs that never started, handed back by the shutdown
 *       ({@link WorkQueue#returned()})</td></tr>
 * </table>
 *
 * <p>Every accepted job is in exactly one of these at any time. The meters read the queue when scraped (each gauge
 * takes the queue's short lock), so they are exact whenever the binder is bound. The binder holds the queue
 * weakly, as Micrometer gauges do. Thread-safe.
 */
public final class WorkQueueMetrics implements MeterBinder {

    /** Gauge of queued jobs. */
    public static final String QUEUED = "reactor.patterns.work.queue.queued";
    /** Gauge of running jobs. */
    public static final String RUNNING = "reactor.patterns.work.queue.running";
    /** Counter of completed jobs. */
    public static final String DONE = "reactor.patterns.work.queue.done";
    /** Counter of failed jobs. */
    public static final String FAILED = "reactor.patterns.work.queue.failed";
    /** Counter of jobs handed back by the shutdown. */
    public static final String RETURNED = "reactor.patterns.work.queue.returned";

    private final Tags tags;
    private final WorkQueue<?> queue;

    private WorkQueueMetrics(Tags tags, WorkQueue<?> queue) {
        this.tags = tags;
        this.queue = queue;
    }

    /**
     * Creates a binder for {@code queue} whose meters carry {@code name=<name>}.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param queue the queue to observe
     * @return a new binder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static WorkQueueMetrics of(String name, WorkQueue<?> queue) {
        return of(name, queue, Tags.empty());
    }

    /**
     * Like {@link #of(String, WorkQueue)}, with extra tags on every meter.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param queue the queue to observe
     * @param tags extra tags
     * @return a new binder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static WorkQueueMetrics of(String name, WorkQueue<?> queue, Iterable<Tag> tags) {
        Tags all = MetricTags.of(name, tags);
        return new WorkQueueMetrics(all, Objects.requireNonNull(queue, "queue"));
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
        Gauge.builder(QUEUED, queue, WorkQueue::size)
                .tags(tags)
                .description("Jobs accepted and waiting for a worker")
                .register(registry);
        Gauge.builder(RUNNING, queue, WorkQueue::inFlight)
                .tags(tags)
                .description("Jobs running")
                .register(registry);
        FunctionCounter.builder(DONE, queue, WorkQueue::completed)
                .tags(tags)
                .description("Jobs whose handler completed")
                .register(registry);
        FunctionCounter.builder(FAILED, queue, WorkQueue::failed)
                .tags(tags)
                .description("Jobs that failed or were cancelled by the shutdown")
                .register(registry);
        FunctionCounter.builder(RETURNED, queue, WorkQueue::returned)
                .tags(tags)
                .description("Jobs that never started, handed back by the shutdown")
                .register(registry);
    }

    @Override
    public String toString() {
        return "WorkQueueMetrics" + tags;
    }
}
