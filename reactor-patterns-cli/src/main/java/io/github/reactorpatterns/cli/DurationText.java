package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Duration text on the command line: parses options such as {@code --timeout 10s} and prints elapsed times, in the
 * form people type them ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}).
 */
final class DurationText {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    private DurationText() {}

    /**
     * Parses {@code N} followed by {@code ms}, {@code s}, {@code m} or {@code h}; ISO-8601 ({@code PT10S}) works too.
     *
     * @throws IllegalArgumentException with a message fit for the user on any other form or on zero
     */
    static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = FORM.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else if (t.startsWith("pt")) {
            try {
                d = Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        } else {
            throw invalid(text);
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("the duration must be greater than zero but was '" + text + "'");
        }
        return d;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("expected a duration such as 500ms, 10s, 5m or 1h but was '" + text + "'");
    }

    /** Short human form: {@code 850ms}, {@code 1.2s}, {@code 3m05s}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
