package io.github.reactorpatterns.limit;

import java.math.BigInteger;
import java.time.Duration;

/**
 * The generic cell rate algorithm ("virtual scheduling") as a pure value: the integer arithmetic behind
 * {@link TokenBucket}, with no clock, no state and no scheduler, so it is tested on its own.
 *
 * <p>A rate of {@code tokens} per {@code per} is the emission interval {@code I = per / tokens}. Time is counted in
 * units of {@code 1/scale} ns where {@code I = cost/scale} ns in lowest terms, so an interval such as 1/3 s is exact;
 * {@code scale} is capped at {@link #MAX_SCALE}, past which {@code I} is rounded to {@code 1/MAX_SCALE} ns. The only
 * state of a bucket is its theoretical arrival time {@code TAT}, in those units: {@code n} tokens conform at
 * {@code now} if {@code max(TAT, now) + n × I - now <= burst × I}, and granting them sets
 * {@code TAT = max(TAT, now) + n × I}. Differences are compared with wrap-around arithmetic, like
 * {@code System.nanoTime}.
 */
final class Gcra {

    /** The largest number of time units per nanosecond. */
    static final long MAX_SCALE = 1024;
    /** A {@code TAT} further ahead than this is a wrapped-around stale one (an idle bucket): treat it as "now". */
    static final long WRAP_GUARD = 1L << 62;

    /** Time units per nanosecond. */
    final long scale;
    /** Time units per token: the emission interval {@code I}. */
    final long cost;
    /** {@code burst × cost}: how far {@code TAT} may run ahead of {@code now} after a grant. */
    final long capacity;

    private Gcra(long scale, long cost, long capacity) {
        this.scale = scale;
        this.cost = cost;
        this.capacity = capacity;
    }

    /**
     * The algorithm for {@code tokens} per {@code per} with room for {@code burst} tokens at once.
     *
     * @param tokens tokens per period, {@code > 0}
     * @param per the period (for messages)
     * @param perNanos the period in nanoseconds, {@code > 0}
     * @param burst the capacity in tokens, {@code > 0}
     * @return the value
     * @throws IllegalArgumentException if the rate is above {@link #MAX_SCALE} tokens per nanosecond, or if
     *     {@code burst} intervals do not fit in about 73 years of nanoseconds
     */
    static Gcra of(long tokens, Duration per, long perNanos, int burst) {
        long g = BigInteger.valueOf(perNanos).gcd(BigInteger.valueOf(tokens)).longValueExact();
        long q = tokens / g;
        long p = perNanos / g;
        if (q > MAX_SCALE) {
            q = MAX_SCALE;
            p = BigInteger.valueOf(perNanos)
                    .multiply(BigInteger.valueOf(MAX_SCALE))
                    .add(BigInteger.valueOf(tokens / 2))
                    .divide(BigInteger.valueOf(tokens))
                    .longValueExact();
            if (p == 0) {
                throw new IllegalArgumentException("rate of " + tokens + " tokens per " + per
                        + " is too high (more than " + MAX_SCALE + " tokens per nanosecond)");
            }
        }
        long capacity;
        try {
            capacity = Math.multiplyExact((long) burst, p);
            Math.multiplyExact(capacity, 4L);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "burst × interval is too long: burst " + burst + " at " + tokens + " tokens per " + per, e);
        }
        return new Gcra(q, p, capacity);
    }

    /**
     * The {@code TAT} of a new bucket whose time starts at 0.
     *
     * @param full whether {@code burst} tokens are available at once
     * @return {@code 0} (full: {@code TAT <= now}) or {@code capacity} (empty: the first token after one interval)
     */
    long initialTat(boolean full) {
        return full ? 0L : capacity;
    }

    /**
     * Converts nanoseconds on the bucket's time line to time units.
     *
     * @param nanos nanoseconds since the bucket's origin
     * @return the same instant in units of {@code 1/scale} ns
     */
    long units(long nanos) {
        return nanos * scale;
    }

    /**
     * {@code max(TAT, now)}, wrap-safe, except that a {@code TAT} less than one nanosecond behind {@code now} is
     * kept: timers fire on whole nanoseconds, so a waiter granted at the first nanosecond after its exact slot must
     * not lose the fraction, or tokens would drift late by up to a nanosecond each.
     *
     * @param tat the theoretical arrival time
     * @param now the current time
     * @return where the next grant starts from
     */
    long base(long tat, long now) {
        long d = tat - now;
        return d > -scale && d <= WRAP_GUARD ? tat : now;
    }

    /**
     * The {@code TAT} after granting {@code n} tokens at {@code now}, whether or not they conform.
     *
     * @param tat the current theoretical arrival time
     * @param now the current time
     * @param n the number of tokens
     * @return {@code max(TAT, now) + n × I}
     */
    long next(long tat, long now, int n) {
        return base(tat, now) + n * cost;
    }

    /**
     * How far a grant that would move {@code TAT} to {@code next} is beyond the limit.
     *
     * @param next the {@code TAT} after the grant, from {@link #next}
     * @param now the current time
     * @return {@code <= 0} if the grant conforms, otherwise the time units until it would
     */
    long excess(long next, long now) {
        return next - now - capacity;
    }

    /**
     * Whether {@code n} tokens conform at {@code now}.
     *
     * @param tat the current theoretical arrival time
     * @param now the current time
     * @param n the number of tokens
     * @return whether {@code n} tokens conform
     */
    boolean conforms(long tat, long now, int n) {
        return excess(next(tat, now, n), now) <= 0;
    }

    /**
     * How long until {@code tokens} tokens conform, when {@code queued} tokens are waiting ahead of them.
     *
     * @param tat the current theoretical arrival time
     * @param now the current time
     * @param queued tokens wanted by the waiters ahead
     * @param tokens the tokens asked for
     * @return the wait in whole nanoseconds (rounded up), {@code 0} if they conform now
     */
    long waitNanos(long tat, long now, long queued, int tokens) {
        long over = base(tat, now) + (queued + tokens) * cost - now - capacity;
        return over <= 0 ? 0L : toNanosCeil(over);
    }

    /**
     * Rounds a positive number of time units up to whole nanoseconds: the delay of a timer that must not fire early.
     *
     * @param units time units, {@code > 0}
     * @return nanoseconds, rounded up
     */
    long toNanosCeil(long units) {
        return -Math.floorDiv(-units, scale);
    }

    /**
     * The {@code TAT} that lets the first single token conform exactly when a pause of {@code pauseNanos} that
     * starts at {@code now} ends: a single token conforms at {@code x} when {@code TAT + I - x <= capacity}.
     *
     * @param now the current time
     * @param pauseNanos the pause in nanoseconds, {@code >= 0}
     * @return the paused {@code TAT}
     */
    long pausedTat(long now, long pauseNanos) {
        return now + pauseNanos * scale + capacity - cost;
    }

    /**
     * Whether {@code tat} already holds callers back at least until {@code target} (a pause would change nothing).
     *
     * @param tat the current theoretical arrival time
     * @param target a {@code TAT} from {@link #pausedTat}
     * @param now the current time
     * @return {@code true} if {@code max(TAT, now) >= target}
     */
    boolean holdsUntil(long tat, long target, long now) {
        return base(tat, now) - target >= 0;
    }

    @Override
    public String toString() {
        return "Gcra[interval=" + cost + "/" + scale + " ns, capacity=" + capacity + "]";
    }
}
