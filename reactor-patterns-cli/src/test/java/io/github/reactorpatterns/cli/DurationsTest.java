package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesUnits() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void rejectsOtherFormsAndZero() {
        for (String bad : new String[] {"10", "s", "10x", "-5s", "1.5s", "PTx"}) {
            assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse(bad))
                    .withMessage("expected a duration such as 500ms, 10s, 5m or 1h but was '" + bad + "'");
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("0s"))
                .withMessage("the duration must be greater than zero but was '0s'");
    }

    @Test
    void formatsShort() {
        assertThat(Durations.format(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Durations.format(Duration.ofMillis(1250))).isEqualTo("1.3s");
        assertThat(Durations.format(Duration.ofSeconds(185))).isEqualTo("3m05s");
    }
}
