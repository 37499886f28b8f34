package io.github.reactorpatterns.stress.queue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.queue.WorkQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * jcstress tests of {@link WorkQueue}'s lock and job accounting: no job lost or counted twice when producers, job
 * ends and a shutdown race.
 */
public final class WorkQueueStress {

    /** Runs a timed task at once on the calling thread, so a shutdown with no grace ends within its actor. */
    static final Scheduler AT_ONCE = new Scheduler() {
        @Override
        public Disposable schedule(Runnable task) {
            task.run();
            return Disposables.disposed();
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return schedule(task);
        }

        @Override
        public Worker createWorker() {
            return Schedulers.immediate().createWorker();
        }
    };

    private WorkQueueStress() {}

    /**
     * Two producers offer at once into a queue with one worker and room for one: a job that finds the worker busy is
     * queued and started by the end of the other, so both are accepted and both complete.
     */
    @JCStressTest
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both accepted and completed, nothing left behind")
    @Outcome(expect = FORBIDDEN, desc = "a job refused, lost, or still counted as running or queued")
    @State
    public static class OfferRace {
        final WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> Mono.empty())
                .build();
        int accepted;

        @Actor
        public void first() {
            if (queue.offer(1)) {
                synchronized (this) {
                    accepted++;
                }
            }
        }

        @Actor
        public void second() {
            if (queue.offer(2)) {
                synchronized (this) {
                    accepted++;
                }
            }
        }

        @Arbiter
        public void check(III_Result r) {
            synchronized (this) {
                r.r1 = accepted == (int) queue.completed() ? accepted : -1;
            }
            r.r2 = queue.inFlight();
            r.r3 = queue.size();
        }
    }

    /**
     * A running job ends, which starts the queued one, while a shutdown with no grace begins: each of the two accepted
     * jobs is completed, failed (cancelled) or handed back exactly once, nothing is left running or queued, and the
     * shutdown emits the handed-back jobs. Two actors, so that it runs on two cores.
     */
    @JCStressTest
    @Outcome(id = "2, 0, 0, 1", expect = ACCEPTABLE, desc = "both ran before the shutdown")
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "the first ended, the shutdown took the queued one")
    @Outcome(id = "1, 1, 0, 1", expect = ACCEPTABLE, desc = "the first ended, the second was cancelled while running")
    @Outcome(id = "0, 1, 1, 1", expect = ACCEPTABLE, desc = "the first was cancelled, the second handed back")
    @Outcome(expect = FORBIDDEN, desc = "a job lost or counted twice, left behind, or the shutdown never emitted")
    @State
    public static class EndVersusShutdown {
        final Sinks.Empty<Void> firstJob = Sinks.empty();
        final WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> job == 1 ? firstJob.asMono() : Mono.empty())
                .onFailure((job, error) -> {})
                .scheduler(AT_ONCE)
                .build();
        volatile List<Integer> handedBack;

        {
            queue.offer(1);
            queue.offer(2);
        }

        @Actor
        public void end() {
            firstJob.tryEmitEmpty();
        }

        @Actor
        public void shutdown() {
            queue.shutdown(Duration.ZERO).subscribe(list -> handedBack = list);
        }

        @Arbiter
        public void check(IIII_Result r) {
            List<Integer> list = handedBack;
            r.r1 = (int) queue.completed();
            r.r2 = (int) queue.failed();
            r.r3 = (int) queue.returned();
            r.r4 = list != null && list.size() == queue.returned() && queue.inFlight() == 0 && queue.size() == 0
                    ? 1
                    : 0;
        }
    }
}
