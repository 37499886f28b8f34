package io.github.reactorpatterns.stress.limit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.Permit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/** jcstress tests of {@link AsyncSemaphore}: never more than N permits held, no lost permit, no lost wake-up. */
public final class SemaphoreStress {

    private SemaphoreStress() {}

    /** Two callers race for the last permit: exactly one gets it. */
    @JCStressTest
    @Outcome(
            id = {"true, false", "false, true"},
            expect = ACCEPTABLE,
            desc = "exactly one caller got the permit")
    @Outcome(id = "true, true", expect = FORBIDDEN, desc = "two holders of one permit")
    @Outcome(id = "false, false", expect = FORBIDDEN, desc = "a free permit was refused to both")
    @State
    public static class TryAcquireRace {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);

        @Actor
        public void first(ZZ_Result r) {
            r.r1 = semaphore.tryAcquireNow().isPresent();
        }

        @Actor
        public void second(ZZ_Result r) {
            r.r2 = semaphore.tryAcquireNow().isPresent();
        }
    }

    /** A release races the cancel of the only waiter: the permit ends up back in the semaphore, exactly once. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "permit returned once, queue empty")
    @Outcome(expect = FORBIDDEN, desc = "permit lost or doubled, or a waiter left behind")
    @State
    public static class GrantVersusCancel {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        final Permit held = semaphore.tryAcquireNow().orElseThrow();
        final RecordingSubscriber waiter = new RecordingSubscriber();

        {
            semaphore.acquire().subscribe(waiter);
        }

        @Actor
        public void release() {
            held.release();
        }

        @Actor
        public void cancel() {
            waiter.subscription.cancel();
        }

        @Arbiter
        public void check(II_Result r) {
            waiter.releaseDelivered();
            r.r1 = semaphore.availablePermits();
            r.r2 = semaphore.waiting();
        }
    }

    /** A release races a new acquire: the acquirer always gets the permit (no lost wake-up). */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the new caller got the permit and gave it back")
    @Outcome(expect = FORBIDDEN, desc = "lost wake-up, or permits miscounted")
    @State
    public static class ReleaseVersusAcquire {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        final Permit held = semaphore.tryAcquireNow().orElseThrow();
        final RecordingSubscriber waiter = new RecordingSubscriber();

        @Actor
        public void release() {
            held.release();
        }

        @Actor
        public void acquire() {
            semaphore.acquire().subscribe(waiter);
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = waiter.releaseDelivered();
            r.r2 = semaphore.availablePermits();
        }
    }

    /** A weighted release races a weighted acquire of every permit, with a small waiter queued behind it. */
    @JCStressTest
    @Outcome(id = "2, 3", expect = ACCEPTABLE, desc = "both waiters granted in turn, all permits back")
    @Outcome(id = "1, 3", expect = ACCEPTABLE_INTERESTING, desc = "the big acquire came after the small one")
    @Outcome(expect = FORBIDDEN, desc = "lost wake-up, or permits miscounted")
    @State
    public static class WeightedReleaseVersusAcquire {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(3);
        final Permit held = semaphore.acquire(2).block();
        final RecordingSubscriber big = new RecordingSubscriber();
        final RecordingSubscriber small = new RecordingSubscriber();

        @Actor
        public void release() {
            held.release();
        }

        @Actor
        public void acquire() {
            semaphore.acquire(3).subscribe(big);
            semaphore.acquire(1).subscribe(small);
        }

        @Arbiter
        public void check(II_Result r) {
            // Releasing one may grant the other; count both.
            int granted = big.releaseDelivered();
            granted += small.releaseDelivered();
            if (big.permit != null && small.permit == null) {
                granted = -1; // small was never woken after big released
            }
            r.r1 = granted;
            r.r2 = semaphore.availablePermits();
        }
    }

    /** A release races the cancel of a queued {@code withPermit}: the permit is back, exactly once. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "permit returned once, queue empty")
    @Outcome(expect = FORBIDDEN, desc = "permit lost or doubled, or a waiter left behind")
    @State
    public static class WithPermitGrantVersusCancel {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        final Permit held = semaphore.tryAcquireNow().orElseThrow();
        final Disposable task = semaphore.withPermit(Mono.just(1)).subscribe();

        @Actor
        public void release() {
            held.release();
        }

        @Actor
        public void cancel() {
            task.dispose();
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = semaphore.availablePermits();
            r.r2 = semaphore.waiting();
        }
    }

    /**
     * A release races the dispose of {@code acquire(onGranted, onError)}, the callback form: the permit ends in the
     * callback's hands (which gives it back here) or in the semaphore, never lost.
     */
    @JCStressTest
    @Outcome(
            id = {"1, 0, 0", "1, 0, 1"},
            expect = ACCEPTABLE,
            desc = "permit back once (not granted / granted)")
    @Outcome(expect = FORBIDDEN, desc = "permit lost or doubled, or a waiter left behind")
    @State
    public static class CallbackGrantVersusDispose {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        final Permit held = semaphore.tryAcquireNow().orElseThrow();
        volatile Permit granted;
        final Disposable waiter = semaphore.acquire(p -> granted = p, e -> {});

        @Actor
        public void release() {
            held.release();
        }

        @Actor
        public void dispose() {
            waiter.dispose();
        }

        @Arbiter
        public void check(III_Result r) {
            Permit p = granted;
            if (p != null) {
                p.release();
            }
            r.r1 = semaphore.availablePermits();
            r.r2 = semaphore.waiting();
            r.r3 = p == null ? 0 : 1;
        }
    }

    /**
     * A release grants a {@code withPermit} whose cancel races the start of its task: the task never starts while its
     * permit is free again (a cancel before the task's {@code onSubscribe} keeps the permit until it can cancel the
     * task), and the permit is back at the end.
     */
    @JCStressTest
    @Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "cancelled before the grant: the task never started")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the task started holding the permit, then was cancelled")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the task started after its permit was given back")
    @Outcome(expect = FORBIDDEN, desc = "permit lost or doubled")
    @State
    public static class WithPermitCancelVersusTaskStart {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        final Permit held = semaphore.tryAcquireNow().orElseThrow();
        volatile int freeAtTaskStart = -1;
        final Disposable waiter = semaphore
                .withPermit(new Mono<Integer>() {
                    @Override
                    public void subscribe(CoreSubscriber<? super Integer> actual) {
                        freeAtTaskStart = semaphore.availablePermits();
                        actual.onSubscribe(Operators.emptySubscription());
                    }
                })
                .subscribe();

        @Actor
        public void release() {
            held.release();
        }

        @Actor
        public void cancel() {
            waiter.dispose();
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = freeAtTaskStart;
            r.r2 = semaphore.availablePermits();
        }
    }
}
