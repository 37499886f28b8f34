package io.github.reactorpatterns.test;

import java.util.Objects;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * A <a href="https://github.com/reactor/BlockHound">BlockHound</a> integration that allows the brief lock a Reactor
 * scheduler takes when a periodic timer ({@code Flux.interval}, {@code Scheduler.schedulePeriodically}) is cancelled,
 * as reactor-core's own integration already does for one-shot timers.
 *
 * <p>Cancelling a periodic timer removes it from its {@code ScheduledThreadPoolExecutor}'s delay queue under that
 * queue's {@code ReentrantLock}. Cancelled from a non-blocking thread while another thread schedules on the same
 * worker, the lock can park for a moment. BlockHound reports the park by throwing from inside the lock's wait queue,
 * and a thread that leaves a {@code java.util.concurrent} lock's wait queue by an exception can leave the lock
 * unobtainable: from then on that scheduler worker runs no timer again, and every {@code timeout}, {@code delay} or
 * {@code interval} placed on it hangs. reactor-core allows the one-shot case ({@code WorkerTask.dispose},
 * {@code SchedulerTask.dispose}); this integration allows exactly the periodic ones
 * ({@code PeriodicWorkerTask.dispose}, {@code InstantPeriodicWorkerTask.dispose},
 * {@code PeriodicSchedulerTask.dispose}). Every other blocking call on a non-blocking thread is still reported.
 *
 * <p>You do not use this class directly: this jar registers it in
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}, so any {@code BlockHound.install()}
 * with the test kit on the class path applies it, your own as well as {@link BlockHoundExtension}'s. To apply it to a
 * builder explicitly, pass an instance to {@code BlockHound.install(...)} or {@code BlockHound.builder().with(...)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class PeriodicTaskBlockHoundIntegration implements BlockHoundIntegration {

    /** The reactor-core classes of periodic timers whose {@code dispose} removes them from the delay queue. */
    static final String[] PERIODIC_TASKS = {
        "reactor.core.scheduler.PeriodicWorkerTask",
        "reactor.core.scheduler.InstantPeriodicWorkerTask",
        "reactor.core.scheduler.PeriodicSchedulerTask",
    };

    /** Creates the integration; {@code ServiceLoader} does this for you when BlockHound is installed. */
    public PeriodicTaskBlockHoundIntegration() {}

    /**
     * Allows blocking calls inside the {@code dispose} method of reactor-core's three periodic timer tasks.
     *
     * @param builder the BlockHound builder being configured
     * @throws NullPointerException if {@code builder} is null
     */
    @Override
    public void applyTo(BlockHound.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        for (String task : PERIODIC_TASKS) {
            builder.allowBlockingCallsInside(task, "dispose");
        }
    }
}
