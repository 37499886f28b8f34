package io.github.reactorpatterns.limit;

/**
 * Permits held by one acquisition from a {@link PermitSource} (an {@link AsyncSemaphore}, or a semaphore shared
 * through a server). Release them exactly once with {@link #release()}; further calls do nothing.
 *
 * <p>Implementations are thread-safe. For a permit held through a server, {@link #release()} sends the release
 * without waiting for it; if the release cannot reach the server, the permit's lease runs out and frees it there.
 */
public interface Permit {

    /**
     * Returns the permits to their source, waking the waiters that now fit. Idempotent: only the first call has an
     * effect. Never blocks.
     */
    void release();

    /**
     * How many permits this acquisition holds (the weight it was acquired with).
     *
     * @return the number of permits, {@code > 0}
     */
    int permits();

    /**
     * Whether {@link #release()} has been called.
     *
     * @return {@code true} once released
     */
    boolean isReleased();
}
