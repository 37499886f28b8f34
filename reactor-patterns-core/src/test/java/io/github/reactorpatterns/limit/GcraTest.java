package io.github.reactorpatterns.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The GCRA arithmetic on its own: plain numbers, no clock and no scheduler. */
class GcraTest {

    private static final long SECOND = 1_000_000_000L;

    private static Gcra gcra(long tokens, Duration per, int burst) {
        return Gcra.of(tokens, per, per.toNanos(), burst);
    }

    /** Grants {@code n} tokens at {@code now} if they conform, as the bucket does; returns the new TAT or null. */
    private static Long grant(Gcra g, long tat, long now, int n) {
        long next = g.next(tat, now, n);
        return g.excess(next, now) <= 0 ? next : null;
    }

    @Test
    void intervalIsKeptInLowestTermsSoThirdsOfASecondAreExact() {
        Gcra g = gcra(3, Duration.ofSeconds(1), 1);
        assertThat(g.scale).isEqualTo(3);
        assertThat(g.cost).isEqualTo(SECOND); // one third of a second, in units of 1/3 ns
        assertThat(g.capacity).isEqualTo(SECOND);
        Gcra whole = gcra(10, Duration.ofSeconds(1), 4);
        assertThat(whole.scale).isEqualTo(1);
        assertThat(whole.cost).isEqualTo(100_000_000L);
        assertThat(whole.capacity).isEqualTo(400_000_000L);
    }

    @Test
    void aFullBucketGrantsTheBurstAtOnceThenOneTokenPerInterval() {
        Gcra g = gcra(10, Duration.ofSeconds(1), 3);
        long tat = g.initialTat(true);
        long now = 0;
        for (int i = 0; i < 3; i++) {
            Long next = grant(g, tat, now, 1);
            assertThat(next).as("burst token %d", i).isNotNull();
            tat = next;
        }
        assertThat(g.conforms(tat, now, 1)).isFalse();
        assertThat(g.excess(g.next(tat, now, 1), now)).isEqualTo(100_000_000L); // one interval to wait
        assertThat(g.conforms(tat, 99_999_999L, 1)).isFalse();
        assertThat(g.conforms(tat, 100_000_000L, 1)).isTrue();
    }

    @Test
    void anEmptyBucketGrantsTheFirstTokenAfterOneInterval() {
        Gcra g = gcra(10, Duration.ofSeconds(1), 3);
        long tat = g.initialTat(false);
        assertThat(g.conforms(tat, 0, 1)).isFalse();
        assertThat(g.waitNanos(tat, 0, 0, 1)).isEqualTo(100_000_000L);
        assertThat(g.conforms(tat, 100_000_000L, 1)).isTrue();
    }

    @Test
    void aWeightedRequestNeedsRoomForAllItsTokens() {
        Gcra g = gcra(10, Duration.ofSeconds(1), 3);
        long tat = grant(g, g.initialTat(true), 0, 1);
        assertThat(g.conforms(tat, 0, 3)).isFalse();
        assertThat(g.conforms(tat, 0, 2)).isTrue();
        assertThat(g.waitNanos(tat, 0, 0, 3)).isEqualTo(100_000_000L);
    }

    @Test
    void waitCountsTheTokensQueuedAheadAndRoundsUpToWholeNanoseconds() {
        Gcra g = gcra(3, Duration.ofSeconds(1), 1);
        long tat = grant(g, g.initialTat(true), 0, 1);
        // Next token at 1/3 s = 333,333,333.33 ns: a timer must not fire early, so 333,333,334 ns.
        assertThat(g.waitNanos(tat, 0, 0, 1)).isEqualTo(333_333_334L);
        // Two tokens queued ahead: the third after us would conform at 3/3 s.
        assertThat(g.waitNanos(tat, 0, 2, 1)).isEqualTo(SECOND);
        assertThat(g.waitNanos(tat, g.units(SECOND), 0, 1)).isZero();
        assertThat(g.toNanosCeil(1)).isEqualTo(1);
        assertThat(g.toNanosCeil(3)).isEqualTo(1);
        assertThat(g.toNanosCeil(4)).isEqualTo(2);
    }

    @Test
    void continuousDemandAtAFractionalIntervalHasNoDrift() {
        Gcra g = gcra(3, Duration.ofSeconds(1), 1);
        long tat = grant(g, g.initialTat(true), 0, 1);
        long nanos = 0;
        for (int k = 1; k <= 3_000; k++) {
            // Wake up when the timer says, in whole nanoseconds, as the bucket's drain loop does.
            long wait = g.waitNanos(tat, g.units(nanos), 0, 1);
            nanos += wait;
            Long next = grant(g, tat, g.units(nanos), 1);
            assertThat(next).as("token %d", k).isNotNull();
            tat = next;
            // The k-th token after the first is granted at exactly ceil(k / 3 s).
            assertThat(nanos).as("token %d", k).isEqualTo(-Math.floorDiv(-k * SECOND, 3));
        }
    }

    @Test
    void aPauseHoldsTheFirstTokenBackUntilItEndsAndNeverShortensAWait() {
        Gcra g = gcra(10, Duration.ofSeconds(1), 5);
        long tat = g.initialTat(true);
        long target = g.pausedTat(0, 2 * SECOND);
        assertThat(g.holdsUntil(tat, target, 0)).isFalse();
        tat = target;
        assertThat(g.conforms(tat, 2 * SECOND - 1, 1)).isFalse();
        assertThat(g.conforms(tat, 2 * SECOND, 1)).isTrue();
        assertThat(g.conforms(tat, 2 * SECOND, 2))
                .as("one token after a pause, not a burst")
                .isFalse();
        // A shorter pause afterwards changes nothing.
        assertThat(g.holdsUntil(tat, g.pausedTat(0, SECOND), 0)).isTrue();
    }

    @Test
    void aStaleTatFromLongAgoOrWrappedAroundCountsAsNow() {
        Gcra g = gcra(10, Duration.ofSeconds(1), 1);
        long now = 5 * SECOND;
        assertThat(g.base(0, now)).isEqualTo(now); // idle: tokens do not pile up
        assertThat(g.base(now + 7, now)).isEqualTo(now + 7); // ahead: wait for it
        assertThat(g.base(now + Gcra.WRAP_GUARD + 1, now)).isEqualTo(now); // too far ahead: wrapped around
        assertThat(g.conforms(Long.MIN_VALUE + now, now, 1)).isTrue();
    }

    @Test
    void aFractionOfANanosecondBehindNowIsKept() {
        Gcra g = gcra(3, Duration.ofSeconds(1), 1);
        long now = g.units(SECOND);
        assertThat(g.base(now - 2, now)).isEqualTo(now - 2); // two thirds of a nanosecond behind: kept
        assertThat(g.base(now - 3, now)).isEqualTo(now); // a whole nanosecond behind: now
    }

    @Test
    void veryHighRatesAreRoundedToTheFinestScaleAndImpossibleOnesRejected() {
        Gcra fine = gcra(2_000_000_000_000L, Duration.ofSeconds(1), 1); // 2,000 tokens per ns: rounded to 1,024
        assertThat(fine.scale).isEqualTo(Gcra.MAX_SCALE);
        Gcra rounded = gcra(1_000_000_007L, Duration.ofSeconds(1), 1);
        assertThat(rounded.scale).isEqualTo(Gcra.MAX_SCALE);
        assertThat(rounded.cost).isEqualTo(1024); // 1,024 / 1.000000007, rounded to the nearest unit
        assertThatIllegalArgumentException()
                .isThrownBy(() -> gcra(1_000_000_000_000_000L, Duration.ofMillis(1), 1))
                .withMessage("rate of 1000000000000000 tokens per PT0.001S is too high (more than 1024 tokens per "
                        + "nanosecond)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> gcra(1, Duration.ofDays(365 * 100), 1))
                .withMessageStartingWith("burst × interval is too long: burst 1 at 1 tokens per PT876000H");
    }
}
