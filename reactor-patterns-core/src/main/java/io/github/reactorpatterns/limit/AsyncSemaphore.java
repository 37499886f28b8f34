package io.github.reactorpatterns.limit;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An asynchronous counting semaphore shared by any number of unrelated pipelines: the reactive form of a
 * module-level {@code asyncio.Semaphore(n)}.
 *
 * <pre>{@code
 * static final AsyncSemaphore API_LIMIT = AsyncSemaphore.of(5);
 *
 * Mono<String> rateLimitedCall(String prompt) {
 *     return apiCall(prompt).transform(API_LIMIT::withPermit);   // at most 5 calls in flight, JVM-wide
 * }
 * }</pre>
 *
 * <p>How it differs from {@code flatMap(f, n)}: {@code flatMap}'s concurrency limit belongs to one stream, while a
 * semaphore bounds every pipeline that uses it, wherever and whenever it is subscribed. Unlike reactor-pool used
 * as a semaphore it holds no objects, and unlike Resilience4j's bulkhead a caller that must wait never blocks a
 * thread: it gets a {@code Mono} that is granted later.
 *
 * <p><b>Semantics.</b>
 * <ul>
 *   <li>Lazy: nothing is acquired before subscription; each subscription acquires afresh.</li>
 *   <li>Fair by default: waiters are granted strictly in arrival order, and a weighted waiter at the head of the
 *       queue is not overtaken by smaller ones behind it ({@link Builder#fair(boolean)} relaxes this).</li>
 *   <li>Cancellation is complete: a waiter that is cancelled leaves the queue at once (so {@link #waiting()} is
 *       exact), a permit granted in a race with the cancel is given back, and a permit that was granted but not yet
 *       delivered when the subscriber cancels is released.</li>
 *   <li>Grants run in a drain loop, never recursively: a million synchronous tasks queued behind one permit complete
 *       without growing the stack. A grant is delivered on the thread that released the permit (or that
 *       subscribed, if a permit was free).</li>
 *   <li>Nothing blocks: the queue is guarded by a short lock that is never held while user code runs.</li>
 * </ul>
 *
 * <p>Instances are thread-safe.
 */
public final class AsyncSemaphore implements PermitSource {

    /** Default limit on waiters: unbounded. */
    public static final int DEFAULT_MAX_WAITERS = Integer.MAX_VALUE;

    /** Default fairness: strict FIFO, no barging. */
    public static final boolean DEFAULT_FAIR = true;

    private final int permits;
    private final int maxWaiters;
    private final boolean fair;
    private final @Nullable SemaphoreListener listener;

    /** Permits not held by anyone. */
    volatile int available;

    static final AtomicIntegerFieldUpdater<AsyncSemaphore> AVAILABLE =
            AtomicIntegerFieldUpdater.newUpdater(AsyncSemaphore.class, "available");

    volatile int wip;
    static final AtomicIntegerFieldUpdater<AsyncSemaphore> WIP =
            AtomicIntegerFieldUpdater.newUpdater(AsyncSemaphore.class, "wip");

    private final Object lock = new Object();
    /** The waiters, guarded by {@link #lock}; each waiter's weight is its number of permits. */
    private final WaiterQueue<SemaphoreNode> queue = new WaiterQueue<>();

    private AsyncSemaphore(Builder builder) {
        this.permits = builder.permits;
        this.maxWaiters = builder.maxWaiters;
        this.fair = builder.fair;
        this.listener = builder.listener;
        this.available = builder.permits;
    }

    /**
     * Creates a fair semaphore with an unbounded queue of waiters.
     *
     * @param permits the number of permits, {@code > 0}
     * @return a new semaphore with all permits free
     * @throws IllegalArgumentException if {@code permits <= 0}
     */
    public static AsyncSemaphore of(int permits) {
        return builder(permits).build();
    }

    /**
     * Starts a builder for a semaphore with the given number of permits.
     *
     * @param permits the number of permits, {@code > 0}
     * @return a new builder with the defaults {@link #DEFAULT_MAX_WAITERS} and {@link #DEFAULT_FAIR}
     * @throws IllegalArgumentException if {@code permits <= 0}
     */
    public static Builder builder(int permits) {
        return new Builder(permits);
    }

    /**
     * Acquires one permit; same as {@code acquire(1)}.
     *
     * @return a {@code Mono} that emits the permit once granted
     * @see #acquire(int)
     */
    @Override
    public Mono<Permit> acquire() {
        return acquire(1);
    }

    /**
     * Acquires {@code permits} permits at once (a weighted acquire). Nothing happens until subscription; then the
     * permits are taken at once if free (and, when fair, nobody waits), otherwise the subscriber joins the queue.
     * The {@code Mono} emits the {@link Permit}, which the caller must {@link Permit#release() release}.
     *
     * <p>Errors: {@link SemaphoreFullException} at once if the caller would have to wait and {@code maxWaiters} are
     * already waiting. Cancel: a waiter leaves the queue at once; a permit granted but not yet delivered (no demand
     * yet, or a race with the cancel) is released. A permit that reached {@code onNext} belongs to the subscriber:
     * a subscriber that drops values arriving after its own cancel (a lambda subscriber disposed at that very
     * instant does) would drop the permit with it, and no publisher can tell a dropped value from a consumed one.
     * Prefer {@link #withPermit(Mono)}, which releases for you, or, outside a pipeline,
     * {@link #acquire(java.util.function.Consumer, java.util.function.Consumer)}, which cannot lose the permit.
     *
     * @param permits how many permits to take together, {@code 1..permits of the semaphore}
     * @return a {@code Mono} that emits the permit once granted
     * @throws IllegalArgumentException if {@code permits <= 0} or more than the semaphore's total
     */
    public Mono<Permit> acquire(int permits) {
        checkWeight(permits);
        return MonoSemaphoreAcquire.create(this, permits);
    }

    /**
     * Takes one permit if one is free right now, without waiting: the synchronous form of {@link #tryAcquire()}.
     * When the semaphore is fair this fails while anybody waits, so it never overtakes a waiter.
     *
     * @return the permit, or empty if none could be taken
     */
    public Optional<Permit> tryAcquireNow() {
        if (fair && queue.size() != 0) {
            LimitListeners.rejected(listener, 1);
            return Optional.empty();
        }
        if (tryTake(1)) {
            LimitListeners.acquiredNow(listener, 1);
            return Optional.of(new SemaphorePermit(this, 1));
        }
        LimitListeners.rejected(listener, 1);
        return Optional.empty();
    }

    /**
     * Takes one permit if one is free when subscribed, without waiting (the {@link PermitSource} form of
     * {@link #tryAcquireNow()}). A permit that cannot be delivered because the subscriber cancelled first is released.
     *
     * @return a {@code Mono} that emits the permit, or completes empty if none could be taken
     */
    @Override
    public Mono<Permit> tryAcquire() {
        return Mono.fromSupplier(() -> tryAcquireNow().orElse(null)).doOnDiscard(Permit.class, Permit::release);
    }

    /**
     * Runs {@code task} while holding one permit: the permit is acquired when the returned {@code Mono} is
     * subscribed, {@code task} is subscribed once it is granted, and the permit is released exactly once when
     * {@code task} completes (with or without a value), fails, or is cancelled — including a cancel that arrives
     * while still waiting. Use it as {@code mono.transform(semaphore::withPermit)}.
     *
     * <p>Unlike {@code Mono.usingWhen(acquire(), ...)}, no cancel can slip between the grant and the release. The
     * permit is released as the task terminates, before the terminal signal is passed downstream, so the next
     * waiter may start before downstream has seen this one's result; downstream work never holds the permit. The
     * task's signals pass through unchanged; an empty task gives an empty {@code Mono}; a
     * {@link SemaphoreFullException} is signalled if the queue is full. One object per subscription: it is the
     * subscription, the queue node and the permit.
     *
     * @param task the work to run under the permit; subscribed once per subscription to the result
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Mono<T> withPermit(Mono<T> task) {
        Objects.requireNonNull(task, "task");
        return MonoWithPermit.create(this, task);
    }

    /**
     * Runs {@code task} while holding one permit, as {@link #withPermit(Mono)} does for a {@code Mono}: the permit
     * is held from the grant until the {@code Flux} completes, fails or is cancelled, and released exactly once
     * (after the terminal signal has passed downstream). Backpressure passes through unchanged; an empty task gives
     * an empty {@code Flux}.
     *
     * @param task the work to run under the permit; subscribed once per subscription to the result
     * @param <T> the type of the task's elements
     * @return a {@code Flux} with the task's signals
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public <T> Flux<T> withPermit(Flux<T> task) {
        Objects.requireNonNull(task, "task");
        return acquire(1).flatMapMany(permit -> task.doFinally(signal -> permit.release()));
    }

    /**
     * The number of permits free right now (a snapshot).
     *
     * @return free permits, {@code 0..total}
     */
    public int availablePermits() {
        return available;
    }

    /**
     * The number of subscribers waiting for a permit right now (a snapshot); cancelled waiters are never counted.
     *
     * @return waiting subscribers
     */
    public int waiting() {
        return queue.size();
    }

    /**
     * The total number of permits this semaphore was created with.
     *
     * @return the total
     */
    public int permits() {
        return permits;
    }

    @Override
    public String toString() {
        return "AsyncSemaphore[permits=" + permits + ", available=" + available + ", waiting=" + queue.size() + "]";
    }

    void checkWeight(int weight) {
        if (weight <= 0) {
            throw new IllegalArgumentException("permits > 0 required but it was " + weight);
        }
        if (weight > permits) {
            throw new IllegalArgumentException(
                    "permits <= " + permits + " (the semaphore's total) required but it was " + weight);
        }
    }

    boolean tryTake(int n) {
        for (; ; ) {
            int a = available;
            if (a < n) {
                return false;
            }
            if (AVAILABLE.compareAndSet(this, a, a - n)) {
                return true;
            }
        }
    }

    /** Gives permits back and grants waiters that now fit. */
    void release(int n) {
        AVAILABLE.addAndGet(this, n);
        if (queue.size() != 0) {
            drain();
        }
    }

    /** Called once per subscription, after {@code onSubscribe}: take permits now or join the queue. */
    void acquire(SemaphoreNode waiter) {
        if ((!fair || queue.size() == 0) && tryTake(waiter.weight)) {
            LimitListeners.acquiredNow(listener, waiter.weight);
            waiter.grant();
            return;
        }
        waiter.queuedAt = LimitListeners.queuedAt(listener);
        boolean full = false;
        synchronized (lock) {
            if (waiter.isCancelled()) {
                return;
            }
            if (queue.size() >= maxWaiters) {
                full = true;
            } else {
                queue.link(waiter);
            }
        }
        if (full) {
            LimitListeners.rejected(listener, waiter.weight);
            waiter.reject(new SemaphoreFullException(maxWaiters));
            return;
        }
        // A permit may have been released between the failed take and the enqueue.
        drain();
    }

    /** Called when a waiter is cancelled: leave the queue at once. */
    void remove(SemaphoreNode waiter) {
        int removed;
        synchronized (lock) {
            removed = queue.remove(waiter);
        }
        if (removed == WaiterQueue.REMOVED_HEAD) {
            // A large waiter at the head may have been holding back smaller ones that fit now.
            drain();
        }
    }

    /**
     * Grants waiters in FIFO order while the head fits. Trampolined: a grant that synchronously leads to a release
     * (and so to another drain) only bumps {@link #wip}, and this loop goes round again.
     */
    void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (; ; ) {
            for (; ; ) {
                SemaphoreNode w;
                synchronized (lock) {
                    w = queue.head();
                    if (w == null || !tryTake(w.weight)) {
                        break;
                    }
                    queue.unlink(w);
                }
                LimitListeners.acquired(listener, w.weight, w.queuedAt);
                w.grant();
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /**
     * Builds an {@link AsyncSemaphore}. Reusable: every {@link #build()} returns a new, independent semaphore. Not
     * thread-safe.
     */
    public static final class Builder {

        private final int permits;
        private int maxWaiters = DEFAULT_MAX_WAITERS;
        private boolean fair = DEFAULT_FAIR;
        private @Nullable SemaphoreListener listener;

        Builder(int permits) {
            if (permits <= 0) {
                throw new IllegalArgumentException("permits > 0 required but it was " + permits);
            }
            this.permits = permits;
        }

        /**
         * Limits the number of subscribers that may wait; beyond it {@code acquire} fails at once with
         * {@link SemaphoreFullException}. {@code 0} means never wait: fail whenever no permit is free.
         *
         * @param maxWaiters the limit, {@code >= 0}; default {@link #DEFAULT_MAX_WAITERS} (unbounded)
         * @return this builder
         * @throws IllegalArgumentException if {@code maxWaiters < 0}
         */
        public Builder maxWaiters(int maxWaiters) {
            if (maxWaiters < 0) {
                throw new IllegalArgumentException("maxWaiters >= 0 required but it was " + maxWaiters);
            }
            this.maxWaiters = maxWaiters;
            return this;
        }

        /**
         * Chooses fairness. Fair (the default): {@code acquire} and {@code tryAcquire} never take a permit while
         * anybody waits, so waiters are granted strictly in arrival order. Unfair: a new caller takes free permits
         * even if others wait (like {@link java.util.concurrent.Semaphore}'s default), which can raise throughput
         * but can starve a large weighted waiter; queued waiters are still granted in arrival order.
         *
         * @param fair {@code true} for FIFO without barging; default {@link #DEFAULT_FAIR}
         * @return this builder
         */
        public Builder fair(boolean fair) {
            this.fair = fair;
            return this;
        }

        /**
         * Sets a listener told of every grant and refusal (for metrics), called outside the semaphore's lock; see
         * {@link SemaphoreListener}. Replaces the listener of an earlier call.
         *
         * @param listener the listener; default none
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder listener(SemaphoreListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Creates a semaphore with all permits free.
         *
         * @return a new semaphore
         */
        public AsyncSemaphore build() {
            return new AsyncSemaphore(this);
        }
    }
}
