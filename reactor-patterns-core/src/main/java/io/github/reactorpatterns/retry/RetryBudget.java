package io.github.reactorpatterns.retry;

import java.time.Duration;
import java.util.Objects;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A budget of retries shared by every pipeline that uses it, so that retries cannot multiply an outage: the
 * Finagle {@code RetryBudget} (Envoy's {@code retry_budget}, gRPC retry throttling) for Reactor.
 *
 * <p>Every first attempt of a call made with a {@link RetryPolicy} that has this budget deposits into it, and every
 * retry withdraws; a retry that finds the budget empty does not happen, and the error propagates unchanged (the
 * policy's {@code onGiveUp} reports {@link RetryAttempt.Reason#BUDGET_EMPTY}). Over any window of {@code ttl} the
 * retries are therefore at most
 *
 * <pre>    minRetriesPerSecond × ttl (in seconds)  +  percentCanRetry × first attempts in that window</pre>
 *
 * <p>With the defaults (10 s, 10 retries per second, 20 %) a service that suddenly fails every call retries at most
 * 100 calls plus a fifth of its traffic, instead of every call {@code maxRetries} times. Deposits and withdrawals
 * expire after {@code ttl}, in ten steps, so the budget refills when the failures stop. Units are scaled as in
 * Finagle: a deposit is worth 1000, a retry costs {@code 1000 / percentCanRetry}.
 *
 * <p>Thread-safe. A deposit is a {@link java.util.concurrent.atomic.LongAdder} increment and a clock read (plus a
 * short lock once per tenth of {@code ttl}, to roll the window); a withdrawal, which happens only on a failure, takes
 * a short lock. Time comes from a {@link Scheduler}'s clock (default {@link Schedulers#parallel()}, resolved when the
 * budget is created, so create it inside {@code StepVerifier.withVirtualTime} or pass the clock).
 */
public final class RetryBudget {

    /** How long deposits and withdrawals count: {@code 10 s}, Finagle's default. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    /** Retries allowed per second of {@code ttl} whatever the traffic: {@value}, Finagle's default. */
    public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;
    /** Retries allowed per first attempt: {@value} (20 %), Finagle's default. */
    public static final double DEFAULT_PERCENT_CAN_RETRY = 0.2;

    private static final long DEPOSIT = 1000;
    private static final int SLICES = 10;
    private static final Duration MIN_TTL = Duration.ofSeconds(1);
    private static final Duration MAX_TTL = Duration.ofSeconds(60);

    private final Duration ttl;
    private final int minRetriesPerSecond;
    private final double percentCanRetry;
    private final long deposit;
    private final long withdrawal;
    private final long reserve;
    private final WindowedCounter balance;

    private RetryBudget(Duration ttl, int minRetriesPerSecond, double percentCanRetry, Scheduler clock) {
        this.ttl = ttl;
        this.minRetriesPerSecond = minRetriesPerSecond;
        this.percentCanRetry = percentCanRetry;
        this.deposit = percentCanRetry == 0 ? 0 : DEPOSIT;
        this.withdrawal = percentCanRetry == 0 ? DEPOSIT : Math.round(DEPOSIT / percentCanRetry);
        double reserveUnits = (double) minRetriesPerSecond * ttl.toMillis() / 1000.0 * withdrawal;
        this.reserve = reserveUnits >= Long.MAX_VALUE / 4.0 ? Long.MAX_VALUE / 4 : (long) reserveUnits;
        this.balance = new WindowedCounter(ttl, SLICES, clock);
    }

    /**
     * A budget with Finagle's defaults: {@link #DEFAULT_TTL}, {@link #DEFAULT_MIN_RETRIES_PER_SECOND},
     * {@link #DEFAULT_PERCENT_CAN_RETRY}.
     *
     * @return a new budget, to be shared by the pipelines that call the same service
     */
    public static RetryBudget ofDefaults() {
        return of(DEFAULT_TTL, DEFAULT_MIN_RETRIES_PER_SECOND, DEFAULT_PERCENT_CAN_RETRY);
    }

    /**
     * A budget with the clock of {@link Schedulers#parallel()}.
     *
     * @param ttl how long a deposit or withdrawal counts, from 1 s to 60 s (as in Finagle)
     * @param minRetriesPerSecond retries allowed per second whatever the traffic, at least 0
     * @param percentCanRetry retries allowed per first attempt, from 0 to 1 (0.2 is 20 %)
     * @return a new budget, to be shared by the pipelines that call the same service
     * @throws NullPointerException if {@code ttl} is null
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static RetryBudget of(Duration ttl, int minRetriesPerSecond, double percentCanRetry) {
        return of(ttl, minRetriesPerSecond, percentCanRetry, Schedulers.parallel());
    }

    /**
     * A budget whose deposits expire by the clock of {@code clock}.
     *
     * @param ttl how long a deposit or withdrawal counts, from 1 s to 60 s (as in Finagle)
     * @param minRetriesPerSecond retries allowed per second whatever the traffic, at least 0
     * @param percentCanRetry retries allowed per first attempt, from 0 to 1 (0.2 is 20 %)
     * @param clock the scheduler whose {@link Scheduler#now(java.util.concurrent.TimeUnit)} is the budget's clock
     * @return a new budget, to be shared by the pipelines that call the same service
     * @throws NullPointerException if {@code ttl} or {@code clock} is null
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static RetryBudget of(Duration ttl, int minRetriesPerSecond, double percentCanRetry, Scheduler clock) {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(clock, "clock");
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl in [PT1S, PT1M] required but it was " + ttl);
        }
        if (minRetriesPerSecond < 0) {
            throw new IllegalArgumentException("minRetriesPerSecond >= 0 required but it was " + minRetriesPerSecond);
        }
        if (!(percentCanRetry >= 0 && percentCanRetry <= 1)) {
            throw new IllegalArgumentException("percentCanRetry in [0, 1] required but it was " + percentCanRetry);
        }
        return new RetryBudget(ttl, minRetriesPerSecond, percentCanRetry, clock);
    }

    /**
     * How many retries the budget would allow now, if no deposit came in meanwhile.
     *
     * @return the retries available, at least 0
     */
    public long available() {
        return Math.max(0, (reserve + balance.sum()) / withdrawal);
    }

    /** Records a first attempt. */
    void deposit() {
        if (deposit != 0) {
            balance.add(deposit);
        }
    }

    /**
     * Takes one retry from the budget if it has one.
     *
     * @return whether the retry may happen
     */
    synchronized boolean tryWithdraw() {
        if (reserve + balance.sum() >= withdrawal) {
            balance.add(-withdrawal);
            return true;
        }
        return false;
    }

    /**
     * A description with the settings and the retries available, for logs.
     *
     * @return {@code "RetryBudget[ttl=PT10S, minRetriesPerSecond=10, percentCanRetry=0.2, available=...]"}
     */
    @Override
    public String toString() {
        return "RetryBudget[ttl=" + ttl + ", minRetriesPerSecond=" + minRetriesPerSecond + ", percentCanRetry="
                + percentCanRetry + ", available=" + available() + "]";
    }
}
