package io.github.reactorpatterns.limit;

import java.util.concurrent.RejectedExecutionException;

/**
 * Signalled by {@link AsyncSemaphore#acquire()} (and everything built on it) when the semaphore has no free permit
 * and already holds its maximum number of waiters ({@link AsyncSemaphore.Builder#maxWaiters(int)}).
 */
public final class SemaphoreFullException extends RejectedExecutionException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The limit that was reached. */
    private final int maxWaiters;

    /**
     * Creates the exception.
     *
     * @param maxWaiters the limit on waiters that was reached
     */
    public SemaphoreFullException(int maxWaiters) {
        super("semaphore has no free permit and its " + maxWaiters + " waiters (maxWaiters) are all taken");
        this.maxWaiters = maxWaiters;
    }

    /**
     * The limit on waiters that was reached.
     *
     * @return the semaphore's {@code maxWaiters}
     */
    public int maxWaiters() {
        return maxWaiters;
    }
}
