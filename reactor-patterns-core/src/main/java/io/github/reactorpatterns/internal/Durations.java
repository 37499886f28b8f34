package io.github.reactorpatterns.internal;

import java.time.Duration;

/**
 * Formats durations for messages and {@code toString}. For internal use only.
 */
public final class Durations {

    private Durations() {}

    /**
     * Whole milliseconds as {@code "500ms"}; anything finer (or too large for a {@code long} of milliseconds) in
     * ISO-8601, as {@link Duration#toString()}.
     *
     * @param duration the duration to format
     * @return the text
     */
    public static String format(Duration duration) {
        if (duration.getNano() % 1_000_000 == 0) {
            try {
                return duration.toMillis() + "ms";
            } catch (ArithmeticException tooLarge) {
                return duration.toString();
            }
        }
        return duration.toString();
    }
}
