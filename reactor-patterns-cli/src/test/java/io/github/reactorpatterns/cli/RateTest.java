package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RateTest {

    @Test
    void parsesPerSecondAndPerMinute() {
        assertThat(Rate.parse("100/s")).isEqualTo(new Rate(100, Duration.ofSeconds(1)));
        assertThat(Rate.parse("30/m")).isEqualTo(new Rate(30, Duration.ofMinutes(1)));
        assertThat(Rate.parse(" 5 / sec ")).isEqualTo(new Rate(5, Duration.ofSeconds(1)));
        assertThat(Rate.parse("5/MIN")).isEqualTo(new Rate(5, Duration.ofMinutes(1)));
    }

    @Test
    void perSecondAndToString() {
        assertThat(Rate.parse("30/m").perSecond()).isEqualTo(0.5);
        assertThat(Rate.parse("30/m")).hasToString("30/m");
        assertThat(Rate.parse("100/s")).hasToString("100/s");
    }

    @Test
    void rejectsOtherForms() {
        for (String bad : new String[] {"100", "100/h", "/s", "-1/s", "1.5/s", "abc", "100/s/s", ""}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> Rate.parse(bad))
                    .withMessage("expected N/s or N/m (e.g. 100/s, 30/m) but was '" + bad + "'");
        }
    }

    @Test
    void rejectsZero() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Rate.parse("0/s"))
                .withMessage("the rate must be at least 1 per period but was '0/s'");
    }
}
