package io.github.reactorpatterns.time;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import io.github.reactorpatterns.internal.Durations;

/**
 * Signals that a {@link Deadline} passed before the work it bounds finished. It is a {@link TimeoutException}, so
 * code that already handles Reactor's {@code timeout} errors handles it too; {@link #budget()} tells which budget ran
 * out (for nested deadlines: the tightest one, which may belong to a caller further downstream).
 */
public class DeadlineExceededException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    /** The budget that ran out. */
    private final Duration budget;

    /**
     * Creates the exception for a deadline that was set with {@code budget}; the message states the budget, as in
     * {@code "deadline of 500ms exceeded"}.
     *
     * @param budget the budget that ran out
     * @throws NullPointerException if {@code budget} is null
     */
    public DeadlineExceededException(Duration budget) {
        super("deadline of " + Durations.format(Objects.requireNonNull(budget, "budget")) + " exceeded");
        this.budget = budget;
    }

    /**
     * The budget of the deadline that passed: the duration given to {@link Deadline#within(Duration)} when the
     * deadline was set.
     *
     * @return the budget, never null
     */
    public Duration budget() {
        return budget;
    }
}
