package io.github.reactorpatterns.time;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Timeouts that end with a fallback instead of an error: Python's "timeout returns {@code None}" pattern
 * ({@code try: async with asyncio.timeout(t): ... except TimeoutError: return None}) as operators.
 *
 * <pre>{@code
 * Mono<Profile> profile = profiles.load(id).transform(Timeouts.orElse(Duration.ofMillis(300), Profile.ANONYMOUS));
 * Mono<Avatar> avatar = avatars.load(id).transform(Timeouts.orEmpty(Duration.ofMillis(100)));
 * }</pre>
 *
 * <p>How they differ from {@code timeout(d).onErrorReturn(TimeoutException.class, v)}: only this operator's own
 * timer leads to the fallback. A {@code TimeoutException} raised by the source (say, by a nested
 * {@code timeout}) is an error of the source and passes through unchanged, as every other error does. The timer
 * starts at subscription; when it fires, the source is cancelled. Values, empty completion and cancellation are as
 * for Reactor's {@code timeout}.
 *
 * <p>The no-scheduler overloads use {@link Schedulers#parallel()}, resolved when the operator is applied (so inside
 * {@code StepVerifier.withVirtualTime} it is the virtual-time scheduler). The operators are stateless and may be
 * shared.
 */
public final class Timeouts {

    private Timeouts() {}

    /**
     * Emits {@code fallback} instead of failing when the source has not terminated within {@code timeout}.
     *
     * @param timeout how long to wait for the source, greater than zero
     * @param fallback the value to emit on timeout
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code timeout} or {@code fallback} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> orElse(Duration timeout, T fallback) {
        Deadline.checkPositive(timeout, "timeout");
        Objects.requireNonNull(fallback, "fallback");
        return source -> source.timeout(timeout, Mono.just(fallback), Schedulers.parallel());
    }

    /**
     * Like {@link #orElse(Duration, Object)}, with the timer of {@code scheduler}.
     *
     * @param timeout how long to wait for the source, greater than zero
     * @param fallback the value to emit on timeout
     * @param scheduler the scheduler whose timer fires the timeout
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code timeout}, {@code fallback} or {@code scheduler} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> orElse(Duration timeout, T fallback, Scheduler scheduler) {
        Deadline.checkPositive(timeout, "timeout");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(scheduler, "scheduler");
        return source -> source.timeout(timeout, Mono.just(fallback), scheduler);
    }

    /**
     * Completes empty instead of failing when the source has not terminated within {@code timeout}.
     *
     * @param timeout how long to wait for the source, greater than zero
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> orEmpty(Duration timeout) {
        Deadline.checkPositive(timeout, "timeout");
        return source -> source.timeout(timeout, Mono.empty(), Schedulers.parallel());
    }

    /**
     * Like {@link #orEmpty(Duration)}, with the timer of {@code scheduler}.
     *
     * @param timeout how long to wait for the source, greater than zero
     * @param scheduler the scheduler whose timer fires the timeout
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code timeout} or {@code scheduler} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> orEmpty(Duration timeout, Scheduler scheduler) {
        Deadline.checkPositive(timeout, "timeout");
        Objects.requireNonNull(scheduler, "scheduler");
        return source -> source.timeout(timeout, Mono.empty(), scheduler);
    }
}
