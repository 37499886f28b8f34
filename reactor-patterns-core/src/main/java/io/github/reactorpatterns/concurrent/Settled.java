package io.github.reactorpatterns.concurrent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The settled results of a group of tasks, in input order: the partial-failure report of
 * {@code gather(..., return_exceptions=True)} and of a Python {@code fetch_with_fallback} helper, with
 * {@link #failuresOf(Class)} as the {@code except*} split.
 *
 * <pre>{@code
 * Settled<Page> settled = Gather.allSettled(urls, 8, this::fetch).block();
 * List<Page> pages = settled.successes();
 * List<HttpStatusException> statusErrors = settled.failuresOf(HttpStatusException.class);
 * if (!settled.allSucceeded()) {
 *     log.warn("Failed {}/{} requests", settled.failures().size(), settled.total());
 * }
 * }</pre>
 *
 * <p>A task that completed empty counts as a success without a value: it is in {@link #outcomes()} as
 * {@link Outcome#empty()} and counted by {@link #successCount()}, but {@link #successes()} (a list of values) has
 * nothing for it. So {@code successes().size()} can be smaller than {@code successCount()}.
 *
 * <p>Immutable and thread-safe: every list it returns is an unmodifiable snapshot.
 *
 * @param <T> the type of the values of the successes
 */
public final class Settled<T> {

    private final List<Outcome<T>> outcomes;
    private final List<T> successes;
    private final List<Throwable> failures;

    private Settled(List<Outcome<T>> outcomes) {
        this.outcomes = outcomes;
        List<T> values = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (Outcome<T> outcome : outcomes) {
            if (outcome instanceof Outcome.Failure<T> failure) {
                errors.add(failure.cause());
            } else {
                outcome.value().ifPresent(values::add);
            }
        }
        this.successes = Collections.unmodifiableList(values);
        this.failures = Collections.unmodifiableList(errors);
    }

    /**
     * Creates the report of the given outcomes, kept in the given order.
     *
     * @param outcomes one outcome per task, in input order
     * @param <T> the type of the values of the successes
     * @return an immutable report holding a copy of {@code outcomes}
     * @throws NullPointerException if {@code outcomes} is or contains null
     */
    public static <T> Settled<T> of(List<? extends Outcome<T>> outcomes) {
        Objects.requireNonNull(outcomes, "outcomes");
        return new Settled<>(List.copyOf(outcomes));
    }

    /**
     * Every outcome, one per task, in input order.
     *
     * @return an unmodifiable list of {@link #total()} outcomes
     */
    public List<Outcome<T>> outcomes() {
        return outcomes;
    }

    /**
     * The values of the tasks that completed with a value, in input order. Tasks that completed empty have no entry
     * (see {@link #successCount()}).
     *
     * @return an unmodifiable list of values
     */
    public List<T> successes() {
        return successes;
    }

    /**
     * The errors of the tasks that failed, unchanged, in input order.
     *
     * @return an unmodifiable list of errors
     */
    public List<Throwable> failures() {
        return failures;
    }

    /**
     * The errors of the failed tasks that are instances of {@code type} (subclasses included), in input order: the
     * {@code except*} split of an exception group.
     *
     * @param type the error type to select
     * @param <E> the error type
     * @return an unmodifiable list of the matching errors, possibly empty
     * @throws NullPointerException if {@code type} is null
     */
    public <E extends Throwable> List<E> failuresOf(Class<E> type) {
        Objects.requireNonNull(type, "type");
        return TaskGroupException.select(failures, type);
    }

    /**
     * How many tasks completed, with or without a value.
     *
     * @return the number of successes, at least {@code successes().size()}
     */
    public int successCount() {
        return outcomes.size() - failures.size();
    }

    /**
     * How many tasks were settled.
     *
     * @return the number of outcomes
     */
    public int total() {
        return outcomes.size();
    }

    /**
     * Whether no task failed. True for an empty report.
     *
     * @return {@code true} if {@link #failures()} is empty
     */
    public boolean allSucceeded() {
        return failures.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Settled<?> settled && outcomes.equals(settled.outcomes);
    }

    @Override
    public int hashCode() {
        return outcomes.hashCode();
    }

    @Override
    public String toString() {
        return "Settled[total=" + total() + ", successes=" + successCount() + ", failures=" + failures.size() + "]";
    }
}
