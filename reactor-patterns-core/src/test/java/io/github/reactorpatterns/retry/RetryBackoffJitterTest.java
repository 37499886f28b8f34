package io.github.reactorpatterns.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The documented jitter band, over 10,000 random draws: retry {@code n} waits within
 * {@code [max(first, d(1 - j)), min(max, d(1 + j))]} where {@code d = min(first * m^n, max)}.
 */
class RetryBackoffJitterTest {

    @Property(tries = 10_000)
    void everyDelayStaysInItsBand(
            @ForAll @IntRange(min = 0, max = 40) int retryIndex,
            @ForAll @LongRange(min = 0, max = 10_000) long firstMillis,
            @ForAll @LongRange(min = 0, max = 100_000) long extraMaxMillis,
            @ForAll @DoubleRange(min = 1.0, max = 4.0) double multiplier,
            @ForAll @DoubleRange(min = 0.0, max = 1.0) double jitter,
            @ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double draw) {
        Duration first = Duration.ofMillis(firstMillis);
        Duration max = first.plusMillis(extraMaxMillis);
        RetryPolicy policy = RetryPolicy.backoff(50, first).maxBackoff(max).multiplier(multiplier).jitter(jitter)
                .build();

        long delay = policy.backoffNanos(retryIndex, draw);

        double nominal = Math.min(first.toNanos() * Math.pow(multiplier, retryIndex), max.toNanos());
        double low = Math.max(first.toNanos(), nominal * (1 - jitter));
        double high = Math.min(max.toNanos(), nominal * (1 + jitter));
        assertThat((double) delay).isBetween(Math.floor(low) - 1, Math.ceil(high) + 1);
        assertThat(delay).isBetween(first.toNanos(), max.toNanos());
    }

    @Property(tries = 1_000)
    void withoutJitterTheDelayIsExact(
            @ForAll @IntRange(min = 0, max = 10) int retryIndex,
            @ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double draw) {
        RetryPolicy policy = RetryPolicy.backoff(50, Duration.ofMillis(100)).jitter(0).build();
        assertThat(policy.backoffNanos(retryIndex, draw)).isEqualTo(Duration.ofMillis(100L << retryIndex).toNanos());
    }
}
