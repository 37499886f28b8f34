package io.github.reactorpatterns.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The documented jitter band, over 10,000 random draws of settings and jitter: retry {@code n} waits within
 * {@code [max(first, d(1 - j)), min(max, d(1 + j))]} where {@code d = min(first * m^n, max)}. Seeded, so a failure
 * reproduces; the assertion message names the draw.
 */
class RetryBackoffJitterTest {

    private static final long SEED = 0x5EED_2026L;

    @Test
    void everyDelayStaysInItsBandOver10000Draws() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int draw = 0; draw < 10_000; draw++) {
            int retryIndex = random.nextInt(0, 41);
            Duration first = Duration.ofMillis(random.nextLong(0, 10_001));
            Duration max = first.plusMillis(random.nextLong(0, 100_001));
            double multiplier = 1.0 + random.nextDouble() * 3.0;
            double jitter = draw % 10 == 0 ? (draw % 20 == 0 ? 0.0 : 1.0) : random.nextDouble();
            double uniform = random.nextDouble();
            RetryPolicy policy = RetryPolicy.backoff(50, first)
                    .maxBackoff(max)
                    .multiplier(multiplier)
                    .jitter(jitter)
                    .build();

            long delay = policy.backoffNanos(retryIndex, uniform);

            double nominal = Math.min(first.toNanos() * Math.pow(multiplier, retryIndex), max.toNanos());
            double low = Math.max(first.toNanos(), nominal * (1 - jitter));
            double high = Math.min(max.toNanos(), nominal * (1 + jitter));
            String description = "draw " + draw + ": retry " + retryIndex + ", first " + first + ", max " + max
                    + ", multiplier " + multiplier + ", jitter " + jitter + ", uniform " + uniform;
            assertThat((double) delay).as(description).isBetween(Math.floor(low) - 1, Math.ceil(high) + 1);
            assertThat(delay).as(description).isBetween(first.toNanos(), max.toNanos());
        }
    }

    @Test
    void jitterSpreadsDrawsAcrossTheWholeBand() {
        RetryPolicy policy =
                RetryPolicy.backoff(5, Duration.ofMillis(100)).jitter(0.5).build();
        // retry 1: nominal 200 ms, band [100, 300] ms
        assertThat(policy.backoffNanos(1, 0.0)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(policy.backoffNanos(1, 0.5)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(policy.backoffNanos(1, 0.999_999_999))
                .isBetween(
                        Duration.ofMillis(299).toNanos(), Duration.ofMillis(300).toNanos());
    }

    @Test
    void withoutJitterTheDelayIsExact() {
        RetryPolicy policy =
                RetryPolicy.backoff(50, Duration.ofMillis(100)).jitter(0).build();
        for (int retry = 0; retry <= 10; retry++) {
            assertThat(policy.backoffNanos(retry, 0.73))
                    .isEqualTo(Duration.ofMillis(100L << retry).toNanos());
        }
    }
}
