package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void parsesUnits() {
        assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationText.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationText.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void rejectsOtherFormsAndZero() {
        for (String bad : new String[] {"10", "s", "10x", "-5s", "1.5s", "PTx"}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> DurationText.parse(bad))
                    .withMessage("expected a duration such as 500ms, 10s, 5m or 1h but was '" + bad + "'");
        }
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DurationText.parse("0s"))
                .withMessage("the duration must be greater than zero but was '0s'");
    }

    @Test
    void formatsShort() {
        assertThat(DurationText.format(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(DurationText.format(Duration.ofMillis(1250))).isEqualTo("1.3s");
        assertThat(DurationText.format(Duration.ofSeconds(185))).isEqualTo("3m05s");
    }
}
