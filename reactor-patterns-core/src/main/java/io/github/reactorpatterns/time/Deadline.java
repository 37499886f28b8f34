package io.github.reactorpatterns.time;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.github.reactorpatterns.internal.Durations;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

/**
 * An absolute deadline carried in the Reactor {@code Context}: the reactive form of {@code asyncio.timeout} that
 * nested calls honour. {@link #within(Duration)} sets it for everything upstream; {@link #timeout(Duration)},
 * {@link #remaining()} and {@link #current(ContextView)} let nested code (a retry policy, an HTTP call) stay inside
 * the caller's budget instead of starting work that cannot finish in time.
 *
 * <pre>{@code
 * Mono<Order> order = loadCustomer(id)                                // each call inside may use
 *         .flatMap(customer -> priceOrder(customer))                  // Deadline.timeout(...) or
 *         .transform(Deadline.within(Duration.ofSeconds(2)));         // Deadline.remaining()
 *
 * Mono<Price> priceOrder(Customer c) {
 *     return pricing.call(c).transform(Deadline.timeout(Duration.ofMillis(500)));  // min(500 ms, time left)
 * }
 * }</pre>
 *
 * <p>How it differs from Reactor's {@code timeout(Duration)}: that operator bounds one publisher from the moment it
 * is subscribed, and a nested call cannot see it. A deadline is an instant: every nested operator sees the same
 * instant, an inner {@code within} with a larger budget keeps the caller's earlier deadline, and a {@code Flux}
 * gets a bound on its whole duration (Reactor's {@code Flux.timeout} bounds the gap between items).
 *
 * <p>Time is read from a {@link Scheduler} (default {@link Schedulers#parallel()}, resolved at subscription), whose
 * {@link Scheduler#now(TimeUnit)} is the clock of the deadline and whose timer fires its expiry. The default
 * schedulers' clock is {@link System#currentTimeMillis()} (millisecond precision); under
 * {@code StepVerifier.withVirtualTime} the virtual clock is used, so deadlines are tested exactly.
 *
 * <p>A {@code Deadline} value is immutable and thread-safe. It is obtained only from a {@code Context} through
 * {@link #current(ContextView)}.
 */
public final class Deadline {

    /** The Context key; private so that only {@link #within} can set a deadline. */
    private static final Object KEY = new Object() {
        @Override
        public String toString() {
            return "io.github.reactorpatterns.time.Deadline";
        }
    };

    private static final Mono<Duration> REMAINING = Mono.deferContextual(context -> {
        Deadline deadline = context.getOrDefault(KEY, null);
        return deadline == null ? Mono.empty() : Mono.just(deadline.timeLeft());
    });

    private static final Duration LONGEST_TIMER = Duration.ofNanos(Long.MAX_VALUE);

    private final long expiresAtNanos;
    private final Duration budget;
    private final Scheduler clock;

    private Deadline(long expiresAtNanos, Duration budget, Scheduler clock) {
        this.expiresAtNanos = expiresAtNanos;
        this.budget = budget;
        this.clock = clock;
    }

    /**
     * Bounds a {@link Mono} by a deadline {@code budget} from subscription, and makes that deadline visible to
     * everything upstream through the {@code Context}. If the {@code Context} already carries an earlier (tighter)
     * deadline, that one is kept and this operator adds nothing; a later one is replaced for upstream code.
     *
     * <p>When the deadline passes, the source is cancelled and the {@code Mono} fails with a
     * {@link DeadlineExceededException} whose {@link DeadlineExceededException#budget() budget} is {@code budget}.
     * If the kept outer deadline has already passed at subscription, it fails at once with the outer deadline's
     * exception, without subscribing the source. Values, empty completion and errors of the source (including its
     * own {@code TimeoutException}s) pass through unchanged; cancelling cancels the source and the timer.
     *
     * @param budget the time from subscription until the deadline, greater than zero
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code budget} is null
     * @throws IllegalArgumentException if {@code budget} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> within(Duration budget) {
        return withinMono(checkPositive(budget, "budget"), null);
    }

    /**
     * Like {@link #within(Duration)}, with the clock and timer of {@code scheduler}.
     *
     * @param budget the time from subscription until the deadline, greater than zero
     * @param scheduler the scheduler whose clock measures the deadline and whose timer fires it
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code budget} or {@code scheduler} is null
     * @throws IllegalArgumentException if {@code budget} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> within(Duration budget, Scheduler scheduler) {
        return withinMono(checkPositive(budget, "budget"), Objects.requireNonNull(scheduler, "scheduler"));
    }

    /**
     * The {@link Flux} form of {@link #within(Duration)}: the whole stream, not each item, must finish before the
     * deadline. When it passes, the source is cancelled and the {@code Flux} fails with a
     * {@link DeadlineExceededException} after the items already emitted. Backpressure is the source's.
     *
     * @param budget the time from subscription until the deadline, greater than zero
     * @param <T> the type of the items
     * @return an operator for {@link Flux#transform(Function)}
     * @throws NullPointerException if {@code budget} is null
     * @throws IllegalArgumentException if {@code budget} is zero or negative
     */
    public static <T> Function<Flux<T>, Flux<T>> withinFlux(Duration budget) {
        return withinFluxOperator(checkPositive(budget, "budget"), null);
    }

    /**
     * Like {@link #withinFlux(Duration)}, with the clock and timer of {@code scheduler}.
     *
     * @param budget the time from subscription until the deadline, greater than zero
     * @param scheduler the scheduler whose clock measures the deadline and whose timer fires it
     * @param <T> the type of the items
     * @return an operator for {@link Flux#transform(Function)}
     * @throws NullPointerException if {@code budget} or {@code scheduler} is null
     * @throws IllegalArgumentException if {@code budget} is zero or negative
     */
    public static <T> Function<Flux<T>, Flux<T>> withinFlux(Duration budget, Scheduler scheduler) {
        return withinFluxOperator(checkPositive(budget, "budget"), Objects.requireNonNull(scheduler, "scheduler"));
    }

    /**
     * The time left until the deadline in the subscriber's {@code Context}: emits it (zero once the deadline has
     * passed, never negative) or completes empty when no deadline is set. Read at each subscription.
     *
     * @return a {@code Mono} of the time left, empty without a deadline
     */
    public static Mono<Duration> remaining() {
        return REMAINING;
    }

    /**
     * The deadline that a {@code Context} carries, for code that reads it directly: a retry policy deciding whether
     * a backoff still fits, an HTTP client sizing its response timeout.
     *
     * @param context the context to look in, such as the one {@code Mono.deferContextual} hands over
     * @return the deadline, or empty if none is set
     * @throws NullPointerException if {@code context} is null
     */
    public static Optional<Deadline> current(ContextView context) {
        Objects.requireNonNull(context, "context");
        return Optional.ofNullable(context.getOrDefault(KEY, null));
    }

    /**
     * Bounds a {@link Mono} by the smaller of {@code local} and the time left until the deadline in the
     * {@code Context}, so that a nested call never outlives its caller's budget.
     *
     * <p>If {@code local} is the smaller one (or no deadline is set) this is Reactor's
     * {@code timeout(local, scheduler)}, failing with its {@link java.util.concurrent.TimeoutException}. If the
     * deadline comes first, the {@code Mono} fails with the deadline's {@link DeadlineExceededException} when it
     * passes, and at once, without subscribing the source, if it has already passed. Everything else (values,
     * empty completion, errors, cancellation) is as for {@code timeout}.
     *
     * @param local the timeout for this call alone, greater than zero
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code local} is null
     * @throws IllegalArgumentException if {@code local} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> timeout(Duration local) {
        return timeoutMono(checkPositive(local, "local"), null);
    }

    /**
     * Like {@link #timeout(Duration)}, with the timer of {@code scheduler} for the local timeout (the deadline
     * keeps the scheduler it was set with).
     *
     * @param local the timeout for this call alone, greater than zero
     * @param scheduler the scheduler whose timer fires the local timeout
     * @param <T> the type of the value
     * @return an operator for {@link Mono#transform(Function)}
     * @throws NullPointerException if {@code local} or {@code scheduler} is null
     * @throws IllegalArgumentException if {@code local} is zero or negative
     */
    public static <T> Function<Mono<T>, Mono<T>> timeout(Duration local, Scheduler scheduler) {
        return timeoutMono(checkPositive(local, "local"), Objects.requireNonNull(scheduler, "scheduler"));
    }

    /**
     * The budget this deadline was set with, as given to {@link #within(Duration)}.
     *
     * @return the budget
     */
    public Duration budget() {
        return budget;
    }

    /**
     * The time left until this deadline by its scheduler's clock.
     *
     * @return the time left; {@link Duration#ZERO} once the deadline has passed, never negative
     */
    public Duration timeLeft() {
        long left = expiresAtNanos - clock.now(TimeUnit.NANOSECONDS);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /**
     * Whether this deadline has passed by its scheduler's clock.
     *
     * @return {@code true} once no time is left
     */
    public boolean isExpired() {
        return expiresAtNanos - clock.now(TimeUnit.NANOSECONDS) <= 0;
    }

    /**
     * A description with the budget and the time left, for logs.
     *
     * @return {@code "Deadline[budget=2000ms, timeLeft=...]"}
     */
    @Override
    public String toString() {
        return "Deadline[budget=" + Durations.format(budget) + ", timeLeft=" + Durations.format(timeLeft()) + "]";
    }

    private DeadlineExceededException exceeded() {
        return new DeadlineExceededException(budget);
    }

    private static Deadline start(Duration budget, Scheduler clock) {
        long now = clock.now(TimeUnit.NANOSECONDS);
        long budgetNanos = saturatedNanos(budget);
        long expiresAt = now + budgetNanos;
        if (((now ^ expiresAt) & (budgetNanos ^ expiresAt)) < 0) {
            expiresAt = Long.MAX_VALUE;
        }
        return new Deadline(expiresAt, budget, clock);
    }

    /** The deadline that applies after an inner {@code within}: the outer one if it is not later than ours. */
    private static @Nullable Deadline tighterOuter(ContextView context, Duration budget) {
        Deadline outer = context.getOrDefault(KEY, null);
        return outer != null && outer.timeLeft().compareTo(budget) <= 0 ? outer : null;
    }

    private static <T> Function<Mono<T>, Mono<T>> withinMono(Duration budget, @Nullable Scheduler scheduler) {
        return source -> Mono.deferContextual(context -> {
            Deadline outer = tighterOuter(context, budget);
            if (outer != null) {
                return outer.isExpired() ? Mono.error(outer.exceeded()) : source;
            }
            Scheduler clock = scheduler != null ? scheduler : Schedulers.parallel();
            Deadline deadline = start(budget, clock);
            return source.timeout(timer(budget), Mono.error(deadline::exceeded), clock)
                    .contextWrite(upstream -> upstream.put(KEY, deadline));
        });
    }

    private static <T> Function<Flux<T>, Flux<T>> withinFluxOperator(Duration budget, @Nullable Scheduler scheduler) {
        return source -> Flux.deferContextual(context -> {
            Deadline outer = tighterOuter(context, budget);
            if (outer != null) {
                return outer.isExpired() ? Flux.error(outer.exceeded()) : source;
            }
            Scheduler clock = scheduler != null ? scheduler : Schedulers.parallel();
            Deadline deadline = start(budget, clock);
            Mono<Void> expiry = Mono.delay(timer(budget), clock).then(Mono.error(deadline::exceeded));
            return source.takeUntilOther(expiry).contextWrite(upstream -> upstream.put(KEY, deadline));
        });
    }

    private static <T> Function<Mono<T>, Mono<T>> timeoutMono(Duration local, @Nullable Scheduler scheduler) {
        return source -> Mono.deferContextual(context -> {
            Deadline deadline = context.getOrDefault(KEY, null);
            if (deadline != null) {
                Duration left = deadline.timeLeft();
                if (left.isZero()) {
                    return Mono.error(deadline.exceeded());
                }
                if (left.compareTo(local) < 0) {
                    return source.timeout(left, Mono.error(deadline::exceeded), deadline.clock);
                }
            }
            return source.timeout(local, scheduler != null ? scheduler : Schedulers.parallel());
        });
    }

    /** A timer duration the schedulers accept: budgets beyond about 292 years are cut to that. */
    private static Duration timer(Duration budget) {
        return budget.compareTo(LONGEST_TIMER) > 0 ? LONGEST_TIMER : budget;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLarge) {
            return Long.MAX_VALUE;
        }
    }

    static Duration checkPositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " > 0 required but it was " + duration);
        }
        return duration;
    }
}
