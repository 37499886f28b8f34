package io.github.reactorpatterns.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/** Tallies {@code fetch} results and prints the closing summary. Thread-safe. */
final class FetchReport {

    private final LatencyStats latency = new LatencyStats();
    private final Map<String, Integer> failuresByKind = new TreeMap<>();
    private int requests;
    private int successes;
    private long attempts;
    private long retries;

    synchronized void record(FetchResult result) {
        requests++;
        Integer tries = result.attempts();
        if (tries != null) {
            attempts += tries;
            retries += Math.max(0, tries - 1);
        }
        if (result.isSuccess()) {
            successes++;
        } else {
            failuresByKind.merge(result.kind() == null ? "error" : result.kind(), 1, Integer::sum);
        }
        if (tries == null || tries > 0) {
            latency.add(result.ms());
        }
    }

    synchronized int requests() {
        return requests;
    }

    synchronized int successes() {
        return successes;
    }

    synchronized int failures() {
        return requests - successes;
    }

    synchronized Map<String, Integer> failuresByKind() {
        return Map.copyOf(failuresByKind);
    }

    /** Attempts over every URL whose attempts are known. */
    synchronized long attempts() {
        return attempts;
    }

    /** Attempts beyond the first, over every URL whose attempts are known. */
    synchronized long retries() {
        return retries;
    }

    synchronized long percentile(double p) {
        return latency.percentile(p);
    }

    /** Attempts per second over the run. */
    synchronized double achievedRate(Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return attempts / seconds;
    }

    /**
     * The closing summary, one fact per line.
     *
     * @param elapsed        wall time of the run
     * @param maxConcurrency the most requests observed in flight at once
     * @param settings       what the run was configured with
     * @param malformedLines input lines that were skipped as malformed
     */
    synchronized List<String> summary(
            Duration elapsed, int maxConcurrency, FetchSettings settings, int malformedLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder()
                .append("requests: ")
                .append(requests)
                .append(" in ")
                .append(DurationText.format(elapsed))
                .append(", ")
                .append(successes)
                .append(" succeeded, ")
                .append(requests - successes)
                .append(" failed");
        if (!failuresByKind.isEmpty()) {
            head.append(failuresByKind.entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ", " (", ")")));
        }
        lines.add(head.toString());
        if (malformedLines > 0) {
            lines.add("skipped: " + malformedLines + " malformed line" + (malformedLines == 1 ? "" : "s"));
        }
        lines.add("retries: " + retries() + " (" + attempts + " attempts)");
        lines.add("rate: " + String.format(Locale.ROOT, "%.1f", achievedRate(elapsed)) + "/s achieved"
                + rateSetting(settings.rate(), settings.burst()));
        lines.add("concurrency: max " + maxConcurrency + " in flight (limit " + settings.concurrency() + ")");
        lines.add("latency: p50 " + latency.percentile(50) + "ms, p90 " + latency.percentile(90) + "ms, p99 "
                + latency.percentile(99) + "ms");
        return lines;
    }

    private static String rateSetting(@Nullable Rate rate, int burst) {
        return rate == null ? " (no rate limit set)" : " (configured " + rate + ", burst " + burst + ")";
    }
}
