package io.github.reactorpatterns.limit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.scheduler.Scheduler;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Calls the optional limit listeners: each helper returns at once when there is no listener (the cost of an absent
 * listener is a null check), reads a clock only when there is one, and logs an exception a listener throws so that
 * it cannot break a drain loop.
 */
final class LimitListeners {

    private static final Logger LOG = Loggers.getLogger(LimitListeners.class);

    private LimitListeners() {}

    /** The time a waiter starts waiting, for {@link #acquired(SemaphoreListener, int, long)}; 0 without listener. */
    static long queuedAt(@Nullable SemaphoreListener listener) {
        return listener == null ? 0L : System.nanoTime();
    }

    /** Permits granted without waiting. */
    static void acquiredNow(@Nullable SemaphoreListener listener, int permits) {
        if (listener != null) {
            try {
                listener.onAcquired(permits, Duration.ZERO);
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    /** Permits granted to a waiter queued at {@code queuedAt} ({@link #queuedAt(SemaphoreListener)}). */
    static void acquired(@Nullable SemaphoreListener listener, int permits, long queuedAt) {
        if (listener != null) {
            try {
                listener.onAcquired(permits, positive(System.nanoTime() - queuedAt));
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    static void rejected(@Nullable SemaphoreListener listener, int permits) {
        if (listener != null) {
            try {
                listener.onRejected(permits);
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    /** The time a waiter starts waiting on {@code clock}; 0 without listener. */
    static long queuedAt(@Nullable TokenBucketListener listener, Scheduler clock) {
        return listener == null ? 0L : clock.now(TimeUnit.NANOSECONDS);
    }

    /** Tokens granted without waiting. */
    static void grantedNow(@Nullable TokenBucketListener listener, int tokens) {
        if (listener != null) {
            try {
                listener.onGranted(tokens, Duration.ZERO);
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    /** Tokens granted to a waiter queued at {@code queuedAt} on {@code clock}. */
    static void granted(@Nullable TokenBucketListener listener, int tokens, long queuedAt, Scheduler clock) {
        if (listener != null) {
            try {
                listener.onGranted(tokens, positive(clock.now(TimeUnit.NANOSECONDS) - queuedAt));
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    static void paused(@Nullable TokenBucketListener listener, Duration pause) {
        if (listener != null) {
            try {
                listener.onPaused(pause);
            } catch (Throwable t) {
                failed(t);
            }
        }
    }

    private static Duration positive(long nanos) {
        return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(nanos);
    }

    private static void failed(Throwable t) {
        Exceptions.throwIfJvmFatal(t);
        LOG.error("A limit listener threw; the event is otherwise unaffected", t);
    }
}
