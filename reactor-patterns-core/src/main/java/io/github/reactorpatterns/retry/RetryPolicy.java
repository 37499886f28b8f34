package io.github.reactorpatterns.retry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import io.github.reactorpatterns.internal.Durations;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.time.Deadline;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.ContextView;
import reactor.util.retry.Retry;

/**
 * A retry strategy with exponential backoff that also honours server-directed delays, a total-time cap, the
 * caller's {@link Deadline} and a shared {@link RetryBudget}: the reactive form of a Python
 * {@code retry_async(max_retries, delay, backoff)} helper. A {@code RetryPolicy} is a {@link Retry}: pass it to
 * {@code retryWhen}.
 *
 * <pre>{@code
 * static final RetryBudget INVENTORY_BUDGET = RetryBudget.ofDefaults();
 *
 * Mono<Stock> stock = inventory.stock(sku)
 *         .retryWhen(RetryPolicy.backoff(3, Duration.ofMillis(100))
 *                 .maxBackoff(Duration.ofSeconds(2))
 *                 .retryOn(IOException.class, HttpStatusException.class)
 *                 .maxElapsed(Duration.ofSeconds(5))
 *                 .budget(INVENTORY_BUDGET)
 *                 .onRetry(attempt -> log.warn("stock {}: retrying: {}", sku, attempt))
 *                 .onGiveUp(attempt -> log.error("stock {}: giving up: {}", sku, attempt))
 *                 .build())
 *         .transform(Deadline.within(Duration.ofSeconds(3)));
 * }</pre>
 *
 * <h2>Delays</h2>
 * Retry {@code n} (counting from 0) waits {@code d = min(firstBackoff × multiplier^n, maxBackoff)}, then, with a
 * jitter factor {@code j > 0}, a uniformly drawn delay in
 * {@code [max(firstBackoff, d × (1 − j)), min(maxBackoff, d × (1 + j))]}. With the defaults (multiplier 2, jitter
 * 0.5, no maximum) these are the nominal delays and the jitter band of Reactor's
 * {@code Retry.backoff(maxRetries, firstBackoff)}, drawn at nanosecond rather than millisecond resolution. If the
 * error carries a server-directed hint (it is a {@link RetryAfter}, or the
 * {@link Builder#retryAfterHint(Function) retryAfterHint} function finds one), the delay is the larger of the two
 * ({@link RetryAttempt.Reason#RETRY_AFTER} when the hint wins); {@code maxBackoff} does not cap a hint,
 * {@link Builder#maxRetryAfter(Duration) maxRetryAfter} does. A zero delay resubscribes at once, on the
 * same thread; other delays are timed on the policy's scheduler (default {@link Schedulers#parallel()}, resolved
 * at each subscription, so {@code StepVerifier.withVirtualTime} sees it).
 *
 * <h2>When it stops</h2>
 * For each failure, in this order:
 * <ol>
 *   <li>an error that {@link Builder#retryOn(Class[]) retryOn} (matched on the error and its causes) or
 *       {@link Builder#retryIf(Predicate) retryIf} reject propagates unchanged, unreported;</li>
 *   <li>after {@code maxRetries} retries, the error becomes a {@link RetryExhaustedException} (the earlier errors
 *       suppressed), unless {@code maxRetries} is 0: then it propagates unchanged;</li>
 *   <li>a {@code Retry-After} hint longer than {@code maxRetryAfter}, a next attempt that would start after
 *       {@code maxElapsed} (counted from the first subscription), one that would start at or after the
 *       {@code Deadline} in the subscriber's {@code Context}, or an empty {@link RetryBudget}, each end the retries
 *       at once, before any wait, and the error propagates unchanged.</li>
 * </ol>
 * Each retry is reported to {@link Builder#onRetry(Consumer) onRetry} when it is decided, and the decision to stop
 * (in the second and third cases) to {@link Builder#onGiveUp(Consumer) onGiveUp}, before the error propagates.
 * An exception thrown by {@code retryIf}, {@code retryAfterHint}, {@code onRetry} or {@code onGiveUp} fails the
 * sequence with that exception.
 *
 * <h2>Pausing a shared rate limiter</h2>
 * With {@link Builder#pauseOnRetryAfter(RateLimiter) pauseOnRetryAfter}, a hint the policy accepts (at most
 * {@code maxRetryAfter}) pauses the shared limiter for exactly the hint, whether the policy then retries or stops;
 * the retry starts once both the pause is in force and the delay has passed. A hint longer than
 * {@code maxRetryAfter} pauses nobody, so the longest pause one error can cause is {@code maxRetryAfter}.
 *
 * <h2>Resubscription and cancellation</h2>
 * Each retry re-subscribes the source: nothing is replayed, so the source must be lazy ({@code Mono.defer},
 * {@code Mono.fromCallable}, a WebClient call). Cancelling downstream cancels a running attempt or the pending
 * wait. Each subscription of the retried sequence counts attempts, time and earlier errors on its own; the policy
 * itself is immutable, thread-safe and may be shared. With a budget, each subscription is a first attempt and
 * deposits once.
 */
public final class RetryPolicy extends Retry {

    /** The default growth factor of the backoff: {@value}, as {@code Retry.backoff}. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** The default jitter factor: {@value}, as {@code Retry.backoff}; {@link #fixed} uses 0. */
    public static final double DEFAULT_JITTER = 0.5;
    /** The default longest server-directed wait the policy accepts: one minute. */
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(1);

    /** How deep {@code retryOn} looks into the cause chain of an error: {@value}. */
    public static final int MAX_CAUSE_DEPTH = 16;

    private static final Logger LOG = Loggers.getLogger(RetryPolicy.class);
    private static final long UNLIMITED = Long.MAX_VALUE;
    private static final RetryPolicy NONE = new Builder(0, Duration.ZERO, 1.0, 0.0).build();

    private final long maxRetries;
    private final long firstNanos;
    private final long maxBackoffNanos;
    private final double multiplier;
    private final double jitter;
    private final Class<? extends Throwable>[] retryOn;
    private final @Nullable Predicate<? super Throwable> retryIf;
    private final long maxElapsedNanos;
    private final long maxRetryAfterNanos;
    private final @Nullable RetryBudget budget;
    private final @Nullable RateLimiter pauseLimiter;
    private final @Nullable Consumer<? super RetryAttempt> onRetry;
    private final @Nullable Consumer<? super RetryAttempt> onGiveUp;
    private final Function<? super Throwable, Optional<Duration>> retryAfterHint;
    private final @Nullable Scheduler scheduler;

    private RetryPolicy(Builder builder) {
        this.maxRetries = builder.maxRetries;
        this.firstNanos = nanos(builder.firstBackoff);
        this.maxBackoffNanos = builder.maxBackoff == null ? UNLIMITED : nanos(builder.maxBackoff);
        this.multiplier = builder.multiplier;
        this.jitter = builder.jitter;
        this.retryOn = builder.retryOn.clone();
        this.retryIf = builder.retryIf;
        this.maxElapsedNanos = builder.maxElapsed == null ? UNLIMITED : nanos(builder.maxElapsed);
        this.maxRetryAfterNanos = nanos(builder.maxRetryAfter);
        this.budget = builder.budget;
        this.pauseLimiter = builder.pauseLimiter;
        this.onRetry = builder.onRetry;
        this.onGiveUp = builder.onGiveUp;
        this.retryAfterHint = builder.retryAfterHint;
        this.scheduler = builder.scheduler;
    }

    /**
     * Starts a policy with exponential backoff: up to {@code maxRetries} retries, the first after
     * {@code firstBackoff}, each next one {@link #DEFAULT_MULTIPLIER} times longer, with {@link #DEFAULT_JITTER}.
     *
     * @param maxRetries the most retries, not counting the first attempt; 0 or more
     * @param firstBackoff the delay before the first retry, zero or more
     * @return a builder to refine and {@link Builder#build() build}
     * @throws NullPointerException if {@code firstBackoff} is null
     * @throws IllegalArgumentException if {@code maxRetries} or {@code firstBackoff} is negative
     */
    public static Builder backoff(int maxRetries, Duration firstBackoff) {
        return new Builder(
                checkRetries(maxRetries),
                checkNotNegative(firstBackoff, "firstBackoff"),
                DEFAULT_MULTIPLIER,
                DEFAULT_JITTER);
    }

    /**
     * Starts a policy with a fixed delay: up to {@code maxRetries} retries, each after {@code delay}, without
     * jitter (multiplier 1, jitter 0; both can still be changed on the builder).
     *
     * @param maxRetries the most retries, not counting the first attempt; 0 or more
     * @param delay the delay before each retry, zero or more
     * @return a builder to refine and {@link Builder#build() build}
     * @throws NullPointerException if {@code delay} is null
     * @throws IllegalArgumentException if {@code maxRetries} or {@code delay} is negative
     */
    public static Builder fixed(int maxRetries, Duration delay) {
        return new Builder(checkRetries(maxRetries), checkNotNegative(delay, "delay"), 1.0, 0.0);
    }

    /**
     * A policy that never retries: every error propagates unchanged. Useful where a policy is required, such as a
     * per-call override of a client's default.
     *
     * @return the shared no-retry policy
     */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * The companion that {@code retryWhen} subscribes once per subscription: it decides, for each failure, whether
     * and when to re-subscribe. Called by Reactor; see the class documentation for the decisions.
     *
     * @param signals the failures of the retried sequence
     * @return a {@code Flux} that emits to re-subscribe and errors to stop
     */
    @Override
    public Flux<Long> generateCompanion(Flux<RetrySignal> signals) {
        // retryWhen calls this once per subscription, before it subscribes the source: the per-subscription state
        // (start time, earlier errors, the budget deposit) starts here, with no extra operator on the success path.
        Scheduler timer = scheduler != null ? scheduler : Schedulers.parallel();
        Attempts attempts = new Attempts(timer.now(TimeUnit.NANOSECONDS));
        if (budget != null) {
            budget.deposit();
        }
        return signals.concatMap(signal -> {
            Throwable error = signal.failure();
            long retriesSoFar = signal.totalRetries();
            // the companion's context is the retried sequence's subscriber context, where a Deadline lives
            return Mono.deferContextual(context -> decide(error, retriesSoFar, attempts, context, timer));
        });
    }

    private Mono<Long> decide(
            Throwable error, long retriesSoFar, Attempts attempts, ContextView context, Scheduler timer) {
        if (!isRetryable(error)) {
            return Mono.error(error);
        }
        long attempt = retriesSoFar + 1;
        long hint = hintNanos(error);
        boolean refused = hint > maxRetryAfterNanos;
        // An accepted hint pauses the shared limiter whether or not this policy retries (the server asked every
        // caller to back off, not only this one). A refused hint pauses nobody: one "Retry-After: 86400" must not
        // freeze every caller of a shared limiter, so the longest pause this policy causes is maxRetryAfter.
        Mono<Void> pause = !refused && hint > 0 && pauseLimiter != null ? pause(pauseLimiter, hint) : null;
        if (retriesSoFar >= maxRetries) {
            if (maxRetries == 0) {
                return stop(pause, attempt, 0, error, RetryAttempt.Reason.RETRIES_EXHAUSTED);
            }
            long elapsed = timer.now(TimeUnit.NANOSECONDS) - attempts.startNanos;
            Throwable exhausted = attempts.exhausted(attempt, Duration.ofNanos(Math.max(0, elapsed)), error);
            giveUp(attempt, 0, error, RetryAttempt.Reason.RETRIES_EXHAUSTED);
            return afterPause(pause, Mono.error(exhausted));
        }
        if (refused) {
            return stop(null, attempt, hint, error, RetryAttempt.Reason.RETRY_AFTER_TOO_LONG);
        }
        double draw =
                jitter == 0 || firstNanos == 0 ? 0 : ThreadLocalRandom.current().nextDouble();
        long delay = backoffNanos(retriesSoFar, draw);
        RetryAttempt.Reason reason = RetryAttempt.Reason.BACKOFF;
        if (hint > delay) {
            delay = hint;
            reason = RetryAttempt.Reason.RETRY_AFTER;
        }
        if (maxElapsedNanos != UNLIMITED) {
            long elapsed = timer.now(TimeUnit.NANOSECONDS) - attempts.startNanos;
            if (delay > maxElapsedNanos - elapsed) {
                return stop(pause, attempt, delay, error, RetryAttempt.Reason.MAX_ELAPSED);
            }
        }
        Optional<Deadline> deadline = Deadline.current(context);
        if (deadline.isPresent() && delay >= nanos(deadline.get().timeLeft())) {
            return stop(pause, attempt, delay, error, RetryAttempt.Reason.DEADLINE);
        }
        if (budget != null && !budget.tryWithdraw()) {
            return stop(pause, attempt, delay, error, RetryAttempt.Reason.BUDGET_EMPTY);
        }
        attempts.remember(error);
        if (onRetry != null) {
            onRetry.accept(new RetryAttempt(attempt, Duration.ofNanos(delay), error, reason));
        }
        Mono<Long> next = delay == 0
                ? Mono.just(retriesSoFar)
                : Mono.delay(Duration.ofNanos(delay), timer).thenReturn(retriesSoFar);
        // the pause and the delay run side by side: the retry starts once both are over, so it meets the pause in
        // force, and a limiter shared through a server does not add its round trip to the delay
        return pause == null ? next : Mono.when(pause, next).thenReturn(retriesSoFar);
    }

    private static Mono<Void> pause(RateLimiter limiter, long hintNanos) {
        // a pause that fails (a shared limiter whose server is down) does not change the decision; it is logged
        return limiter.pause(Duration.ofNanos(hintNanos)).onErrorResume(e -> {
            LOG.warn("RetryPolicy could not pause the rate limiter for a Retry-After hint", e);
            return Mono.empty();
        });
    }

    private static Mono<Long> afterPause(@Nullable Mono<Void> pause, Mono<Long> next) {
        return pause == null ? next : pause.then(next);
    }

    private Mono<Long> stop(
            @Nullable Mono<Void> pause, long attempt, long delayNanos, Throwable error, RetryAttempt.Reason reason) {
        giveUp(attempt, delayNanos, error, reason);
        return afterPause(pause, Mono.error(error));
    }

    private void giveUp(long attempt, long delayNanos, Throwable error, RetryAttempt.Reason reason) {
        if (onGiveUp != null) {
            onGiveUp.accept(new RetryAttempt(attempt, Duration.ofNanos(delayNanos), error, reason));
        }
    }

    private boolean isRetryable(Throwable error) {
        if (retryOn.length > 0 && !matchesRetryOn(error)) {
            return false;
        }
        return retryIf == null || retryIf.test(error);
    }

    /**
     * Whether the error or one of its causes is of a {@code retryOn} type: at most {@link #MAX_CAUSE_DEPTH} levels,
     * which also ends a cause cycle; the walk does not enter a {@link RetryExhaustedException}, whose cause an inner
     * policy already gave up on.
     */
    private boolean matchesRetryOn(Throwable error) {
        Throwable current = error;
        for (int depth = 0; current != null && depth <= MAX_CAUSE_DEPTH; depth++) {
            for (Class<? extends Throwable> type : retryOn) {
                if (type.isInstance(current)) {
                    return true;
                }
            }
            if (current instanceof RetryExhaustedException) {
                return false;
            }
            Throwable cause = current.getCause();
            current = cause == current ? null : cause;
        }
        return false;
    }

    /** The server-directed delay in nanoseconds, or -1 without one. */
    private long hintNanos(Throwable error) {
        Optional<Duration> hint = retryAfterHint.apply(error);
        if (hint != null && hint.isPresent()) {
            return Math.max(0, nanos(hint.get()));
        }
        return -1;
    }

    /**
     * The backoff before retry {@code retryIndex} (from 0) for a uniform draw {@code random} in [0, 1).
     * Package-private for the jitter property test.
     */
    long backoffNanos(long retryIndex, double random) {
        if (firstNanos == 0) {
            return 0;
        }
        double exact = firstNanos * Math.pow(multiplier, retryIndex);
        long base = exact >= maxBackoffNanos ? maxBackoffNanos : Math.round(exact);
        if (jitter == 0) {
            return base;
        }
        long offset = (long) (base * jitter);
        long low = Math.max(firstNanos, base - offset);
        long high = Math.min(maxBackoffNanos, saturatedAdd(base, offset));
        if (high <= low) {
            return low;
        }
        return low + (long) ((high - low) * random);
    }

    /**
     * A description of the settings, for logs.
     *
     * @return {@code "RetryPolicy[maxRetries=3, firstBackoff=100ms, ...]"}
     */
    @Override
    public String toString() {
        return "RetryPolicy[maxRetries=" + maxRetries
                + ", firstBackoff=" + Durations.format(Duration.ofNanos(firstNanos))
                + ", maxBackoff="
                + (maxBackoffNanos == UNLIMITED ? "none" : Durations.format(Duration.ofNanos(maxBackoffNanos)))
                + ", multiplier=" + multiplier
                + ", jitter=" + jitter
                + ", retryOn="
                + Arrays.stream(retryOn).map(Class::getSimpleName).toList()
                + ", maxElapsed="
                + (maxElapsedNanos == UNLIMITED ? "none" : Durations.format(Duration.ofNanos(maxElapsedNanos)))
                + ", maxRetryAfter=" + Durations.format(Duration.ofNanos(maxRetryAfterNanos))
                + ", budget=" + (budget == null ? "none" : budget)
                + "]";
    }

    /** The state of one subscription: when it started and the errors of its earlier attempts. */
    private static final class Attempts {

        final long startNanos;
        private @Nullable ArrayDeque<Throwable> earlier;

        Attempts(long startNanos) {
            this.startNanos = startNanos;
        }

        void remember(Throwable error) {
            if (earlier == null) {
                earlier = new ArrayDeque<>(4);
            } else if (earlier.size() == RetryExhaustedException.MAX_SUPPRESSED) {
                earlier.removeFirst();
            }
            earlier.addLast(error);
        }

        RetryExhaustedException exhausted(long attempts, Duration elapsed, Throwable last) {
            RetryExhaustedException exhausted = new RetryExhaustedException(attempts, elapsed, last);
            Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            seen.add(last);
            for (Throwable error : earlier != null ? earlier : Collections.<Throwable>emptyList()) {
                if (seen.add(error)) {
                    exhausted.addSuppressed(error);
                }
            }
            return exhausted;
        }
    }

    /**
     * A reusable builder of {@link RetryPolicy}: each setter checks its argument at once, {@link #build()} checks
     * that the settings agree and copies them, so one builder can build several policies. Not thread-safe.
     */
    public static final class Builder {

        private final long maxRetries;
        private final Duration firstBackoff;
        private double multiplier;
        private double jitter;
        private @Nullable Duration maxBackoff;

        @SuppressWarnings("unchecked")
        private Class<? extends Throwable>[] retryOn = new Class[0];

        private @Nullable Predicate<? super Throwable> retryIf;
        private @Nullable Duration maxElapsed;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
        private @Nullable RetryBudget budget;
        private @Nullable RateLimiter pauseLimiter;
        private @Nullable Consumer<? super RetryAttempt> onRetry;
        private @Nullable Consumer<? super RetryAttempt> onGiveUp;
        private Function<? super Throwable, Optional<Duration>> retryAfterHint = RetryAfter::of;
        private @Nullable Scheduler scheduler;

        private Builder(long maxRetries, Duration firstBackoff, double multiplier, double jitter) {
            this.maxRetries = maxRetries;
            this.firstBackoff = firstBackoff;
            this.multiplier = multiplier;
            this.jitter = jitter;
        }

        /**
         * Caps the backoff (not a server-directed delay). Default: no cap, as {@code Retry.backoff}.
         *
         * @param maxBackoff the longest backoff, at least the first backoff (checked by {@link #build()})
         * @return this builder
         * @throws NullPointerException if {@code maxBackoff} is null
         * @throws IllegalArgumentException if {@code maxBackoff} is negative
         */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = checkNotNegative(maxBackoff, "maxBackoff");
            return this;
        }

        /**
         * Sets how much each backoff grows over the previous one; fractional values work (1.5 gives 100, 150,
         * 225 ms from 100 ms). Default {@link #DEFAULT_MULTIPLIER}; 1 for {@link RetryPolicy#fixed}.
         *
         * @param multiplier the growth factor, 1 or more, finite
         * @return this builder
         * @throws IllegalArgumentException if {@code multiplier} is below 1, infinite or NaN
         */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier >= 1 and finite required but it was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Sets the jitter factor: each backoff is drawn uniformly within {@code ±jitter} of its nominal value (see
         * the class documentation for the exact band). Default {@link #DEFAULT_JITTER}; 0 for
         * {@link RetryPolicy#fixed}.
         *
         * @param jitter the factor, from 0 (none) to 1
         * @return this builder
         * @throws IllegalArgumentException if {@code jitter} is outside [0, 1] or NaN
         */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter in [0, 1] required but it was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * Retries only errors of these types (or their subtypes), found on the error itself or on its chain of
         * causes; others propagate unchanged. The causes matter where a framework wraps the error that tells
         * (Spring's {@code WebClientRequestException} around an {@code IOException}):
         * {@code retryOn(IOException.class)} retries both. The walk looks at most {@link RetryPolicy#MAX_CAUSE_DEPTH}
         * causes deep, so a cycle of causes ends it, and it does not enter a {@link RetryExhaustedException}: an inner
         * policy has given up on its cause, and retrying it again would multiply the attempts. The error is retried and
         * reported as it is, not unwrapped. Replaces the types of an earlier call; combines with
         * {@link #retryIf(Predicate)} (both must accept; the predicate sees the error itself). Default: every error.
         *
         * @param errorTypes the retryable types, at least one
         * @return this builder
         * @throws NullPointerException if {@code errorTypes} or one of its elements is null
         * @throws IllegalArgumentException if {@code errorTypes} is empty
         */
        @SafeVarargs
        public final Builder retryOn(Class<? extends Throwable>... errorTypes) {
            Objects.requireNonNull(errorTypes, "errorTypes");
            if (errorTypes.length == 0) {
                throw new IllegalArgumentException("errorTypes must not be empty");
            }
            for (int i = 0; i < errorTypes.length; i++) {
                Objects.requireNonNull(errorTypes[i], "errorTypes[" + i + "]");
            }
            this.retryOn = errorTypes.clone();
            return this;
        }

        /**
         * Retries only errors this predicate accepts; others propagate unchanged. Replaces the predicate of an
         * earlier call; combines with {@link #retryOn(Class[])} (both must accept). Default: every error.
         *
         * @param predicate tells whether an error is worth retrying; called on the thread that signals the error
         * @return this builder
         * @throws NullPointerException if {@code predicate} is null
         */
        public Builder retryIf(Predicate<? super Throwable> predicate) {
            this.retryIf = Objects.requireNonNull(predicate, "predicate");
            return this;
        }

        /**
         * Caps the total time: no retry starts later than {@code maxElapsed} after the first subscription, and a
         * retry whose delay would end after it is not waited for. Default: no cap.
         *
         * @param maxElapsed the longest time from the first subscription to the start of a retry
         * @return this builder
         * @throws NullPointerException if {@code maxElapsed} is null
         * @throws IllegalArgumentException if {@code maxElapsed} is zero or negative
         */
        public Builder maxElapsed(Duration maxElapsed) {
            Objects.requireNonNull(maxElapsed, "maxElapsed");
            if (maxElapsed.isNegative() || maxElapsed.isZero()) {
                throw new IllegalArgumentException("maxElapsed > 0 required but it was " + maxElapsed);
            }
            this.maxElapsed = maxElapsed;
            return this;
        }

        /**
         * Caps a server-directed wait ({@link RetryAfter}): a longer hint ends the retries at once with the error.
         * Default {@link #DEFAULT_MAX_RETRY_AFTER}.
         *
         * @param maxRetryAfter the longest hint to honour, zero or more (zero refuses every positive hint)
         * @return this builder
         * @throws NullPointerException if {@code maxRetryAfter} is null
         * @throws IllegalArgumentException if {@code maxRetryAfter} is negative
         */
        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = checkNotNegative(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        /**
         * Shares a retry budget: each subscription deposits, each retry withdraws, and an empty budget ends the
         * retries with the error. Default: no budget.
         *
         * @param budget the budget shared by the pipelines that call the same service
         * @return this builder
         * @throws NullPointerException if {@code budget} is null
         */
        public Builder budget(RetryBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * Lets a server-directed delay pause a shared rate limiter: whenever a retryable error carries a hint (a 429
         * or 503 with {@code Retry-After}, see {@link #retryAfterHint(Function)}) that this policy accepts (at most
         * {@code maxRetryAfter}), the limiter holds every caller back for exactly that long (see
         * {@link RateLimiter#pause(Duration)}), whether or not this policy then retries; a retry starts only once
         * the pause is in force. A hint longer than
         * {@code maxRetryAfter} ends the retries and pauses nobody, so the longest pause this policy causes is
         * {@code maxRetryAfter}. Without it only the failing call waits, and every other caller sharing the limiter
         * keeps hitting the server that asked for a break. The limiter may be a local
         * {@link io.github.reactorpatterns.limit.TokenBucket} or one shared by many processes; a pause that fails
         * does not change the retry decision (it is logged at WARN level). Default: no limiter.
         *
         * @param limiter the rate limiter shared by the calls to the server
         * @return this builder
         * @throws NullPointerException if {@code limiter} is null
         */
        public Builder pauseOnRetryAfter(RateLimiter limiter) {
            this.pauseLimiter = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /**
         * Reports every retry this policy schedules ({@link RetryAttempt.Reason#BACKOFF} or
         * {@link RetryAttempt.Reason#RETRY_AFTER}), when it is decided and before the wait, for logs and metrics. A
         * policy of {@code n} retries calls it at most {@code n} times per subscription; the decision to stop goes
         * to {@link #onGiveUp(Consumer)} instead. Replaces the callback of an earlier call. It runs on the thread
         * that signals the error and should be fast; an exception it throws fails the sequence with that exception.
         *
         * @param onRetry the callback
         * @return this builder
         * @throws NullPointerException if {@code onRetry} is null
         */
        public Builder onRetry(Consumer<? super RetryAttempt> onRetry) {
            this.onRetry = Objects.requireNonNull(onRetry, "onRetry");
            return this;
        }

        /**
         * Reports the decision to stop retrying a retryable error, at most once per subscription: the retries ran
         * out ({@link RetryAttempt.Reason#RETRIES_EXHAUSTED}, also with {@code maxRetries} 0), the server asked for
         * too long a wait ({@link RetryAttempt.Reason#RETRY_AFTER_TOO_LONG}), the next attempt would start after
         * {@code maxElapsed} ({@link RetryAttempt.Reason#MAX_ELAPSED}) or at or after the
         * {@link Deadline} ({@link RetryAttempt.Reason#DEADLINE}), or the budget is empty
         * ({@link RetryAttempt.Reason#BUDGET_EMPTY}). It is called before the error propagates; an error that
         * {@code retryOn}/{@code retryIf} reject is not reported. Replaces the callback of an earlier call. It runs
         * on the thread that signals the error and should be fast; an exception it throws fails the sequence with
         * that exception instead of the error.
         *
         * @param onGiveUp the callback
         * @return this builder
         * @throws NullPointerException if {@code onGiveUp} is null
         */
        public Builder onGiveUp(Consumer<? super RetryAttempt> onGiveUp) {
            this.onGiveUp = Objects.requireNonNull(onGiveUp, "onGiveUp");
            return this;
        }

        /**
         * Sets how the policy reads a server-directed delay from an error, for errors that do not implement
         * {@link RetryAfter} (a framework's own response exception, read by an adapter that knows its type). The
         * function is asked once per retryable failure with the error itself (not its causes) and returns the delay,
         * or empty for none; a negative delay counts as zero. Replaces the default, {@link RetryAfter#of(Throwable)};
         * to keep it, fall back to it:
         *
         * <pre>{@code
         * .retryAfterHint(error -> error instanceof WebClientResponseException e
         *         ? RetryAfterHeader.parse(e.getHeaders()) : RetryAfter.of(error))
         * }</pre>
         *
         * The hint is then treated as described in the class documentation ({@code maxRetryAfter},
         * {@link #pauseOnRetryAfter(RateLimiter)}). It runs on the thread that signals the error; an exception it
         * throws fails the sequence with that exception.
         *
         * @param retryAfterHint reads the delay from an error
         * @return this builder
         * @throws NullPointerException if {@code retryAfterHint} is null
         */
        public Builder retryAfterHint(Function<? super Throwable, Optional<Duration>> retryAfterHint) {
            this.retryAfterHint = Objects.requireNonNull(retryAfterHint, "retryAfterHint");
            return this;
        }

        /**
         * Sets the scheduler that times the delays and whose clock measures {@code maxElapsed}. Default
         * {@link Schedulers#parallel()}, resolved at each subscription.
         *
         * @param scheduler the timer and clock
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the immutable policy from the current settings; the builder stays usable.
         *
         * @return a policy to pass to {@code retryWhen}
         * @throws IllegalStateException if {@code maxBackoff} is shorter than the first backoff
         */
        public RetryPolicy build() {
            if (maxBackoff != null && maxBackoff.compareTo(firstBackoff) < 0) {
                throw new IllegalStateException(
                        "maxBackoff must be >= firstBackoff but it was " + maxBackoff + " < " + firstBackoff);
            }
            return new RetryPolicy(this);
        }
    }

    private static long checkRetries(int maxRetries) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries >= 0 required but it was " + maxRetries);
        }
        return maxRetries;
    }

    private static Duration checkNotNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " >= 0 required but it was " + duration);
        }
        return duration;
    }

    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLarge) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
