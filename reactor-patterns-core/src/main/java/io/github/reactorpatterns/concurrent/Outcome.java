package io.github.reactorpatterns.concurrent;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import reactor.core.publisher.Mono;

/**
 * The settled result of one task: a {@link Success} (with or without a value) or a {@link Failure}. The reactive
 * form of one element of {@code asyncio.gather(..., return_exceptions=True)}.
 *
 * <p>A {@link Mono} may complete with a value, complete empty, or fail; an {@code Outcome} keeps all three apart:
 * {@code Outcome.success(v)}, {@code Outcome.empty()} and {@code Outcome.failure(e)}. Outcomes are immutable values
 * and safe to share between threads.
 *
 * <pre>{@code
 * Mono<Outcome<User>> settled = Outcome.of(loadUser(id));   // never errors
 * String text = outcome.fold(
 *         user -> user.map(User::name).orElse("(none)"),
 *         error -> "failed: " + error.getMessage());
 * }</pre>
 *
 * @param <T> the type of the value of a success
 */
public sealed interface Outcome<T> permits Outcome.Success, Outcome.Failure {

    /**
     * A task that completed, with a value or empty.
     *
     * @param value the value the task produced, or {@link Optional#empty()} if it completed empty
     * @param <T> the type of the value
     */
    record Success<T>(Optional<T> value) implements Outcome<T> {

        /**
         * Creates a success.
         *
         * @param value the value, or {@link Optional#empty()} for a task that completed empty
         * @throws NullPointerException if {@code value} is null
         */
        public Success {
            Objects.requireNonNull(value, "value");
        }

        /** {@inheritDoc} */
        @Override
        public Optional<Throwable> error() {
            return Optional.empty();
        }
    }

    /**
     * A task that failed.
     *
     * @param cause the error the task failed with, unchanged
     * @param <T> the type the value would have had
     */
    record Failure<T>(Throwable cause) implements Outcome<T> {

        /**
         * Creates a failure.
         *
         * @param cause the error
         * @throws NullPointerException if {@code cause} is null
         */
        public Failure {
            Objects.requireNonNull(cause, "cause");
        }

        /** {@inheritDoc} */
        @Override
        public Optional<T> value() {
            return Optional.empty();
        }

        /** {@inheritDoc} */
        @Override
        public Optional<Throwable> error() {
            return Optional.of(cause);
        }
    }

    /**
     * A success with a value.
     *
     * @param value the value
     * @param <T> the type of the value
     * @return a {@link Success} holding {@code value}
     * @throws NullPointerException if {@code value} is null
     */
    static <T> Outcome<T> success(T value) {
        return new Success<>(Optional.of(Objects.requireNonNull(value, "value")));
    }

    /**
     * A success without a value: the outcome of a task that completed empty.
     *
     * @param <T> the type a value would have had
     * @return a {@link Success} whose {@link #value()} is empty
     */
    static <T> Outcome<T> empty() {
        return new Success<>(Optional.empty());
    }

    /**
     * A failure.
     *
     * @param error the error, kept unchanged
     * @param <T> the type a value would have had
     * @return a {@link Failure} holding {@code error}
     * @throws NullPointerException if {@code error} is null
     */
    static <T> Outcome<T> failure(Throwable error) {
        return new Failure<>(Objects.requireNonNull(error, "error"));
    }

    /**
     * Settles a task: the returned {@link Mono} emits exactly one {@code Outcome} and never errors. A value becomes
     * {@link #success(Object)}, an empty completion {@link #empty()}, an error {@link #failure(Throwable)}.
     *
     * <p>Lazy: nothing runs before subscription, and each subscription subscribes {@code task} afresh. Cancelling
     * the returned {@code Mono} cancels the task. JVM-fatal errors (such as {@code OutOfMemoryError}) that Reactor
     * rethrows are not captured.
     *
     * @param task the task to settle
     * @param <T> the type of the value
     * @return a {@code Mono} of the task's outcome
     * @throws NullPointerException if {@code task} is null
     */
    static <T> Mono<Outcome<T>> of(Mono<? extends T> task) {
        Objects.requireNonNull(task, "task");
        return task.<Outcome<T>>map(Outcome::success)
                .defaultIfEmpty(empty())
                .onErrorResume(error -> Mono.just(failure(error)));
    }

    /**
     * The value of a success that has one.
     *
     * @return the value; empty for a failure and for a success without a value
     */
    Optional<T> value();

    /**
     * The error of a failure.
     *
     * @return the error; empty for a success
     */
    Optional<Throwable> error();

    /**
     * Whether the task completed (with or without a value).
     *
     * @return {@code true} for a {@link Success}
     */
    default boolean isSuccess() {
        return this instanceof Success;
    }

    /**
     * Whether the task failed.
     *
     * @return {@code true} for a {@link Failure}
     */
    default boolean isFailure() {
        return this instanceof Failure;
    }

    /**
     * Transforms the value of a success. A success without a value stays empty and a failure stays the same
     * failure; neither calls {@code mapper}. An exception thrown by {@code mapper} propagates to the caller.
     *
     * @param mapper the function to apply to the value; must not return null
     * @param <R> the type of the new value
     * @return the transformed outcome
     * @throws NullPointerException if {@code mapper} is null or returns null
     */
    default <R> Outcome<R> map(Function<? super T, ? extends R> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (this instanceof Failure<T> failure) {
            return failure(failure.cause());
        }
        return value().<Outcome<R>>map(v -> success(mapper.apply(v))).orElseGet(Outcome::empty);
    }

    /**
     * Reduces this outcome to one value: {@code onSuccess} for a success (with its possibly empty value),
     * {@code onFailure} for a failure.
     *
     * @param onSuccess applied to the value of a success
     * @param onFailure applied to the error of a failure
     * @param <R> the result type
     * @return what the applied function returned
     * @throws NullPointerException if either function is null
     */
    default <R> R fold(
            Function<? super Optional<T>, ? extends R> onSuccess, Function<? super Throwable, ? extends R> onFailure) {
        Objects.requireNonNull(onSuccess, "onSuccess");
        Objects.requireNonNull(onFailure, "onFailure");
        if (this instanceof Failure<T> failure) {
            return onFailure.apply(failure.cause());
        }
        return onSuccess.apply(value());
    }
}
