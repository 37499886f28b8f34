package io.github.reactorpatterns.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The accounting property of {@link WorkQueue}, checked over seeded random interleavings of put, offer, cancel and
 * shutdown from four threads: every accepted job is handled, failed, or handed back by shutdown, exactly once; the
 * queue never holds more than its capacity; never more than {@code workers} jobs run. A failing seed is printed in
 * the assertion description so that the round can be replayed.
 */
class WorkQueueAccountingTest {

    private static final int ROUNDS = 500;
    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 150;

    @Test
    void everyAcceptedJobIsHandledFailedOrReturnedExactlyOnce() throws Exception {
        for (long seed = 0; seed < ROUNDS; seed++) {
            runRound(seed);
        }
    }

    private void runRound(long seed) throws Exception {
        Random setup = new Random(seed);
        int capacity = 1 + setup.nextInt(4);
        int workers = 1 + setup.nextInt(3);
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        List<Integer> startedTwice = new CopyOnWriteArrayList<>();
        List<Integer> failedJobs = new CopyOnWriteArrayList<>();
        Map<Integer, Integer> behaviour = new ConcurrentHashMap<>();

        WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                .capacity(capacity)
                .workers(workers)
                .handler(job -> {
                    if (!started.add(job)) {
                        startedTwice.add(job);
                    }
                    switch (behaviour.get(job)) {
                        case 0:
                            return probe.wrap(Mono.empty());
                        case 1:
                            return probe.wrap(Mono.error(new IllegalStateException("job " + job)));
                        case 2:
                            throw new IllegalArgumentException("thrown by " + job);
                        case 3:
                            return null;
                        case 4:
                            return probe.wrap(Mono.never());
                        default:
                            return probe.wrap(Mono.delay(Duration.ofNanos(1_000 + job % 50_000)));
                    }
                })
                .onFailure((job, error) -> failedJobs.add(job))
                .build();

        Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
        Set<Integer> rejected = ConcurrentHashMap.newKeySet();
        Set<Integer> cancelledPuts = ConcurrentHashMap.newKeySet();
        AtomicInteger unsettledPuts = new AtomicInteger();
        List<List<Integer>> shutdownResults = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Random random = new Random(seed * 31 + t);
            for (int i = 0; i < OPS_PER_THREAD; i++) {
                int roll = random.nextInt(20);
                behaviour.put(
                        thread * 100_000 + i,
                        roll < 8 ? 0 : roll < 10 ? 1 : roll < 11 ? 2 : roll < 12 ? 3 : roll < 13 ? 4 : 5);
            }
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < OPS_PER_THREAD; i++) {
                        int job = thread * 100_000 + i;
                        int op = random.nextInt(100);
                        if (op < 45) {
                            unsettledPuts.incrementAndGet();
                            Disposable put = queue.put(job)
                                    .subscribe(
                                            null,
                                            error -> {
                                                rejected.add(job);
                                                unsettledPuts.decrementAndGet();
                                            },
                                            () -> {
                                                confirmed.add(job);
                                                unsettledPuts.decrementAndGet();
                                            });
                            if (random.nextInt(3) == 0) {
                                for (int spin = random.nextInt(50); spin > 0; spin--) {
                                    Thread.onSpinWait();
                                }
                                if (!put.isDisposed()) {
                                    cancelledPuts.add(job);
                                }
                                put.dispose();
                            }
                        } else if (op < 95) {
                            (queue.offer(job) ? confirmed : rejected).add(job);
                        } else if (op < 97) {
                            queue.shutdown(Duration.ofNanos(random.nextInt(2_000_000)))
                                    .subscribe(shutdownResults::add);
                        }
                        assertThat(queue.size()).isLessThanOrEqualTo(capacity);
                        assertThat(queue.inFlight()).isLessThanOrEqualTo(workers);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        List<Integer> returned = queue.shutdown(Duration.ofMillis(2)).block(Duration.ofSeconds(10));
        await().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> failedJobs.size() == queue.failed()
                        && shutdownResults.stream().allMatch(r -> r == returned));

        String round = "seed " + seed + " (capacity " + capacity + ", workers " + workers + ")";
        assertThat(errors).as(round).isEmpty();
        assertThat(startedTwice).as(round + ": started twice").isEmpty();
        assertThat(new HashSet<>(returned)).as(round + ": returned once each").hasSameSizeAs(returned);
        assertThat(intersection(returned, started))
                .as(round + ": returned jobs never started")
                .isEmpty();
        assertThat(intersection(returned, failedJobs))
                .as(round + ": returned jobs never failed")
                .isEmpty();

        // taken by the queue: started by a worker, failed (possibly cancelled before the handler ran), or returned
        Set<Integer> accepted = new HashSet<>(started);
        accepted.addAll(failedJobs);
        accepted.addAll(returned);
        assertThat(queue.completed() + queue.failed() + returned.size())
                .as(round + ": handled + failed + returned == accepted")
                .isEqualTo(accepted.size());
        assertThat(accepted)
                .as(round + ": every confirmed job is accounted for")
                .containsAll(confirmed);
        Set<Integer> confirmedOrCancelled = new HashSet<>(confirmed);
        confirmedOrCancelled.addAll(cancelledPuts);
        assertThat(confirmedOrCancelled)
                .as(round + ": only confirmed or racing-cancelled jobs were taken")
                .containsAll(accepted);
        assertThat(intersection(accepted, rejected))
                .as(round + ": rejected jobs never taken")
                .isEmpty();
        assertThat(new HashSet<>(failedJobs))
                .as(round + ": one failure report per job")
                .hasSameSizeAs(failedJobs);
        assertThat(unsettledPuts.get())
                .as(round + ": puts neither settled nor cancelled")
                .isLessThanOrEqualTo(cancelledPuts.size());
        assertThat(queue.size()).as(round).isZero();
        assertThat(queue.inFlight()).as(round).isZero();
        probe.assertMaxAtMost(workers);
        // a job cancelled by the grace timer while its worker was about to subscribe it is cancelled on that
        // worker's thread right after: the probe may count it for a moment longer
        await().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> probe.current() == 0);
    }

    private static Set<Integer> intersection(Iterable<Integer> a, Set<Integer> b) {
        Set<Integer> both = new HashSet<>();
        a.forEach(both::add);
        both.retainAll(b);
        return both;
    }

    private static Set<Integer> intersection(Iterable<Integer> a, List<Integer> b) {
        return intersection(a, new HashSet<>(b));
    }
}
