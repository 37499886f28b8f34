package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request rate as the command line spells it: {@code 100/s} or {@code 30/m}.
 *
 * @param permits how many requests per {@code period}, at least 1
 * @param period  one second or one minute
 */
record Rate(long permits, Duration period) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*/\\s*(s|sec|m|min)");

    Rate {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits > 0 required but it was " + permits);
        }
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period > 0 required but it was " + period);
        }
    }

    /**
     * Parses {@code N/s} or {@code N/m} ({@code sec} and {@code min} are accepted too).
     *
     * @throws IllegalArgumentException with a message fit for the user when the text has another form
     */
    static Rate parse(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected N/s or N/m (e.g. 100/s, 30/m) but was '" + text + "'");
        }
        long permits = Long.parseLong(m.group(1));
        if (permits == 0) {
            throw new IllegalArgumentException("the rate must be at least 1 per period but was '" + text + "'");
        }
        Duration period = m.group(2).startsWith("s") ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
        return new Rate(permits, period);
    }

    /** Requests per second, as a double. */
    double perSecond() {
        return permits * 1_000_000_000.0 / period.toNanos();
    }

    @Override
    public String toString() {
        return permits + (period.equals(Duration.ofSeconds(1)) ? "/s" : "/m");
    }
}
