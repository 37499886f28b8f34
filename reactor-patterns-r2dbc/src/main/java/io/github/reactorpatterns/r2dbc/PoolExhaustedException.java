package io.github.reactorpatterns.r2dbc;

import java.time.Duration;
import java.util.Objects;

import io.r2dbc.spi.R2dbcTransientResourceException;

/**
 * A connection could not be had from a {@link Database}'s pool: every connection stayed in use for the whole
 * acquire timeout, or too many callers were already waiting. The pool itself is fine; retrying later may succeed.
 *
 * <p>It is an {@link R2dbcTransientResourceException}, so code that handles R2DBC's transient errors handles it
 * too. The cause is the pool's own signal (r2dbc-pool's timeout or reactor-pool's pending-limit exception).
 */
public class PoolExhaustedException extends R2dbcTransientResourceException {

    private static final long serialVersionUID = 1L;

    /** Why no connection was handed out. */
    public enum Reason {
        /** No connection became free within the acquire timeout. */
        ACQUIRE_TIMEOUT,
        /** The number of waiting callers had reached its limit, so this one was refused at once. */
        TOO_MANY_WAITERS
    }

    /** Why no connection was handed out. */
    private final Reason reason;
    /** The pool's acquire timeout. */
    private final Duration acquireTimeout;

    private final transient PoolMetrics metrics;

    /**
     * Creates the exception.
     *
     * @param reason why no connection was handed out
     * @param acquireTimeout the pool's acquire timeout
     * @param metrics the pool's state when it happened
     * @param cause the pool's own signal
     * @throws NullPointerException if {@code reason}, {@code acquireTimeout} or {@code metrics} is null
     */
    public PoolExhaustedException(Reason reason, Duration acquireTimeout, PoolMetrics metrics, Throwable cause) {
        super(
                message(
                        Objects.requireNonNull(reason, "reason"),
                        Objects.requireNonNull(acquireTimeout, "acquireTimeout"),
                        Objects.requireNonNull(metrics, "metrics")),
                cause);
        this.reason = reason;
        this.acquireTimeout = acquireTimeout;
        this.metrics = metrics;
    }

    /**
     * Why no connection was handed out.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The pool's acquire timeout.
     *
     * @return the longest a caller waits for a connection
     */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /**
     * The pool's state when it happened.
     *
     * @return a snapshot of the pool
     */
    public PoolMetrics metrics() {
        return metrics;
    }

    private static String message(Reason reason, Duration acquireTimeout, PoolMetrics m) {
        String state = " (acquired=" + m.acquired() + ", idle=" + m.idle() + ", pending=" + m.pending() + ", maxSize="
                + m.maxSize() + ", maxPending=" + m.maxPending() + ")";
        if (reason == Reason.ACQUIRE_TIMEOUT) {
            return "no connection within the acquire timeout of " + acquireTimeout.toMillis() + " ms: all "
                    + m.maxSize() + " connections stayed in use" + state
                    + "; raise maxSize, hold connections for less time, or raise acquireTimeout";
        }
        return "too many callers wait for a connection: the limit of " + m.maxPending() + " waiters is reached" + state
                + "; raise maxPendingAcquires or slow the callers down";
    }
}
