package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FetchReportTest {

    private static FetchSettings settings(Rate rate, int burst) {
        return new FetchSettings(8, rate, burst, 2, Duration.ofSeconds(10), null, "GET", List.of(), false, false);
    }

    private static FetchResult ok(long ms, int attempts) {
        return new FetchResult(0, "http://x/", 200, 10, ms, attempts, null, null);
    }

    private static FetchResult failed(String kind, int attempts) {
        return new FetchResult(0, "http://x/", null, 0, 5, attempts, "boom", kind);
    }

    @Test
    void countsSuccessesFailuresByKindAndRetries() {
        FetchReport report = new FetchReport();
        report.record(ok(10, 1));
        report.record(ok(20, 3));
        report.record(failed("http 503", 3));
        report.record(failed("timeout", 1));
        report.record(failed("http 503", 3));
        report.record(new FetchResult(0, "http://x/", null, 0, 0, 0, "late", FetchEngine.KIND_NOT_STARTED));
        report.record(new FetchResult(0, "http://x/", null, 0, 9, null, "cut", FetchEngine.KIND_DEADLINE));

        assertThat(report.requests()).isEqualTo(7);
        assertThat(report.successes()).isEqualTo(2);
        assertThat(report.failures()).isEqualTo(5);
        assertThat(report.failuresByKind())
                .isEqualTo(Map.of(
                        "http 503", 2, "timeout", 1, FetchEngine.KIND_NOT_STARTED, 1, FetchEngine.KIND_DEADLINE, 1));
        assertThat(report.attempts()).isEqualTo(11);
        assertThat(report.retries()).isEqualTo(6);
    }

    @Test
    void summaryLines() {
        FetchReport report = new FetchReport();
        for (int i = 1; i <= 100; i++) {
            report.record(ok(i, 1));
        }
        report.record(failed("http 503", 3));
        List<String> lines = report.summary(Duration.ofSeconds(2), 8, settings(Rate.parse("50/s"), 5), 2);
        assertThat(lines)
                .containsExactly(
                        "requests: 101 in 2.0s, 100 succeeded, 1 failed (http 503: 1)",
                        "skipped: 2 malformed lines",
                        "retries: 2 (103 attempts)",
                        "rate: 51.5/s achieved (configured 50/s, burst 5)",
                        "concurrency: max 8 in flight (limit 8)",
                        "latency: p50 50ms, p90 90ms, p99 99ms");
    }

    @Test
    void emptyRunSummary() {
        List<String> lines = new FetchReport().summary(Duration.ofMillis(3), 0, settings(null, 1), 0);
        assertThat(lines)
                .containsExactly(
                        "requests: 0 in 3ms, 0 succeeded, 0 failed",
                        "retries: 0 (0 attempts)",
                        "rate: 0.0/s achieved (no rate limit set)",
                        "concurrency: max 0 in flight (limit 8)",
                        "latency: p50 0ms, p90 0ms, p99 0ms");
    }
}
