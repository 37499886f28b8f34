package io.github.reactorpatterns.stress.queue;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.queue.WorkQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * jcstress tests of {@link WorkQueue}'s lock, its lock-free accept and end, and its job accounting: no job lost or
 * counted twice, no worker used twice, when producers, job ends, {@code join} and a shutdown race.
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

    /**
     * A producer offers a job whose {@code Mono} never ends while a shutdown with no grace begins: the lock-free
     * accept either wins (the job takes its worker, and is then cancelled, by the shutdown or by itself when it links
     * after the grace elapsed) or loses (refused). Never a job left running that the shutdown waits for forever.
     */
    @JCStressTest
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "refused: the shutdown came first")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "accepted, then cancelled; the shutdown emitted")
    @Outcome(expect = FORBIDDEN, desc = "a job left running, counted wrongly, or the shutdown never emitted")
    @State
    public static class OfferVersusShutdown {
        final WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> Mono.never())
                .onFailure((job, error) -> {})
                .scheduler(AT_ONCE)
                .build();
        volatile int accepted;
        volatile List<Integer> handedBack;

        @Actor
        public void offer() {
            accepted = queue.offer(1) ? 1 : 0;
        }

        @Actor
        public void shutdown() {
            queue.shutdown(Duration.ZERO).subscribe(list -> handedBack = list);
        }

        @Arbiter
        public void check(III_Result r) {
            List<Integer> list = handedBack;
            r.r1 = accepted;
            r.r2 = (int) (queue.failed() + 10 * queue.completed() + 100 * queue.returned());
            r.r3 = list != null && list.isEmpty() && queue.inFlight() == 0 && queue.size() == 0 ? 1 : 0;
        }
    }

    /**
     * A producer offers a job evaluated in place ({@code Mono.fromRunnable}) while a shutdown with no grace begins:
     * the job is accepted and completed, or refused; the shutdown emits either way, after the job's end.
     */
    @JCStressTest
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "refused: the shutdown came first")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "accepted and completed before the shutdown emitted")
    @Outcome(expect = FORBIDDEN, desc = "a job lost or counted twice, or the shutdown emitted before its end")
    @State
    public static class InPlaceOfferVersusShutdown {
        final AtomicInteger ran = new AtomicInteger();
        final WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> Mono.fromRunnable(ran::incrementAndGet))
                .onFailure((job, error) -> {})
                .scheduler(AT_ONCE)
                .build();
        volatile int accepted;
        volatile int completedWhenEmitted = -1;

        @Actor
        public void offer() {
            accepted = queue.offer(1) ? 1 : 0;
        }

        @Actor
        public void shutdown() {
            queue.shutdown(Duration.ZERO)
                    .subscribe(list -> completedWhenEmitted =
                            list.isEmpty() ? (int) (queue.completed() + queue.failed() + queue.returned()) : -2);
        }

        @Arbiter
        public void check(III_Result r) {
            r.r1 = accepted;
            // what the shutdown saw when it emitted must already count the job, and match what ran
            r.r2 = completedWhenEmitted == ran.get() && queue.completed() == ran.get() ? ran.get() : -1;
            r.r3 = completedWhenEmitted >= 0 && queue.inFlight() == 0 && queue.size() == 0 ? 1 : 0;
        }
    }

    /**
     * {@code join} subscribes while a job evaluated in place ends by the lock-free path: the join completes (it saw
     * the queue idle, or the job's end took the lock and completed it), and the job is counted once.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "joined, the job counted once")
    @Outcome(expect = FORBIDDEN, desc = "the join never completed, or the job was not counted once")
    @State
    public static class JoinVersusInPlaceEnd {
        final WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> Mono.fromRunnable(() -> {}))
                .build();
        volatile int joined;

        @Actor
        public void offer() {
            queue.offer(1);
        }

        @Actor
        public void join() {
            queue.join().subscribe(null, null, () -> joined = 1);
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = joined;
            r.r2 = (int) queue.completed();
        }
    }

    /**
     * Two producers, one through {@code put} and one through {@code offer}, two jobs each, into one worker and room
     * for one: the worker never runs two jobs at once, and every accepted job completes once with nothing left
     * behind. The lock-free accept and end race the locked queueing and draining.
     */
    @JCStressTest
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "one job at a time, every accepted job completed once")
    @Outcome(expect = FORBIDDEN, desc = "two jobs ran at once, or a job was lost, counted twice or left behind")
    @State
    public static class OneWorkerNeverOverlaps {
        final AtomicInteger active = new AtomicInteger();
        volatile int overlapped;
        final WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(1)
                .workers(1)
                .handler(job -> Mono.fromRunnable(() -> {
                    if (active.incrementAndGet() != 1) {
                        overlapped = 1;
                    }
                    active.decrementAndGet();
                }))
                .build();
        final AtomicInteger accepted = new AtomicInteger();

        @Actor
        public void put() {
            for (int job = 1; job <= 2; job++) {
                queue.put(job).subscribe(null, null, accepted::incrementAndGet);
            }
        }

        @Actor
        public void offer() {
            for (int job = 3; job <= 4; job++) {
                if (queue.offer(job)) {
                    accepted.incrementAndGet();
                }
            }
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = overlapped;
            r.r2 = accepted.get() == queue.completed() && queue.inFlight() == 0 && queue.size() == 0 ? 1 : 0;
        }
    }
}
