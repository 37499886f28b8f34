package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    @Test
    void nearestRankPercentiles() {
        LatencyStats stats = new LatencyStats();
        for (int i = 100; i >= 1; i--) {
            stats.add(i);
        }
        assertThat(stats.count()).isEqualTo(100);
        assertThat(stats.percentile(50)).isEqualTo(50);
        assertThat(stats.percentile(90)).isEqualTo(90);
        assertThat(stats.percentile(99)).isEqualTo(99);
        assertThat(stats.percentile(100)).isEqualTo(100);
        assertThat(stats.percentile(0.1)).isEqualTo(1);
    }

    @Test
    void fewSamples() {
        LatencyStats stats = new LatencyStats();
        stats.add(7);
        stats.add(3);
        assertThat(stats.percentile(50)).isEqualTo(3);
        assertThat(stats.percentile(99)).isEqualTo(7);
    }

    @Test
    void emptyIsZero() {
        assertThat(new LatencyStats().percentile(99)).isZero();
    }

    @Test
    void rejectsOutOfRange() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new LatencyStats().percentile(0))
                .withMessage("p in (0, 100] required but it was 0.0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new LatencyStats().percentile(101))
                .withMessage("p in (0, 100] required but it was 101.0");
    }
}
