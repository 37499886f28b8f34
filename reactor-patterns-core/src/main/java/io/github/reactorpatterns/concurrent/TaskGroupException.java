package io.github.reactorpatterns.concurrent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The failure of a group of tasks ({@link TaskScope}): every error that occurred before the group finished
 * cancelling its other tasks, in the order they occurred. The reactive {@code ExceptionGroup}.
 *
 * <p>The first error is also the {@linkplain #getCause() cause}, and the later ones are attached as
 * {@linkplain #getSuppressed() suppressed} exceptions, so that a logged stack trace shows all of them.
 * {@link #exceptionsOf(Class)} is the {@code except*} split:
 * <pre>{@code
 * .onErrorResume(TaskGroupException.class, group -> {
 *     group.exceptionsOf(TimeoutException.class).forEach(e -> log.warn("timed out", e));
 *     return Mono.empty();
 * })
 * }</pre>
 */
public class TaskGroupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The errors, in the order they occurred; never empty. */
    private final List<Throwable> exceptions;

    /**
     * Creates the exception for the given errors.
     *
     * @param exceptions the errors of the group, in the order they occurred; at least one
     * @throws NullPointerException if {@code exceptions} is or contains null
     * @throws IllegalArgumentException if {@code exceptions} is empty
     */
    public TaskGroupException(List<? extends Throwable> exceptions) {
        super(message(exceptions), exceptions.get(0));
        this.exceptions = List.copyOf(exceptions);
        for (int i = 1; i < this.exceptions.size(); i++) {
            addSuppressed(this.exceptions.get(i));
        }
    }

    private static String message(List<? extends Throwable> exceptions) {
        Objects.requireNonNull(exceptions, "exceptions");
        if (exceptions.isEmpty()) {
            throw new IllegalArgumentException("exceptions must not be empty");
        }
        int count = exceptions.size();
        return count + (count == 1 ? " task failed" : " tasks failed") + "; first: " + exceptions.get(0);
    }

    /**
     * Every error of the group, unchanged, in the order they occurred.
     *
     * @return an unmodifiable, non-empty list
     */
    public List<Throwable> exceptions() {
        return exceptions;
    }

    /**
     * The errors that are instances of {@code type} (subclasses included), in the order they occurred: the
     * {@code except*} split.
     *
     * @param type the error type to select
     * @param <E> the error type
     * @return an unmodifiable list of the matching errors, possibly empty
     * @throws NullPointerException if {@code type} is null
     */
    public <E extends Throwable> List<E> exceptionsOf(Class<E> type) {
        Objects.requireNonNull(type, "type");
        return select(exceptions, type);
    }

    static <E extends Throwable> List<E> select(List<Throwable> errors, Class<E> type) {
        List<E> selected = new ArrayList<>();
        for (Throwable error : errors) {
            if (type.isInstance(error)) {
                selected.add(type.cast(error));
            }
        }
        return Collections.unmodifiableList(selected);
    }
}
