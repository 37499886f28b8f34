package io.github.reactorpatterns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The whole guided tour, in-process: every step reports and passes its own check, then the summary table. */
class DemoCommandTest {

    @Test
    void tourRunsEveryStepAndEndsWithASummary() {
        CliRun run = CliRun.run("", "demo");

        String out = String.join("\n", run.out());
        assertThat(run.err()).as(out).isEmpty();
        assertThat(run.exitCode()).as(out).isZero();
        assertThat(run.out().get(0))
                .startsWith("reactor-patterns demo: 10 patterns against an embedded server at " + "http://127.0.0.1:");
        List<String> steps =
                run.out().stream().filter(l -> l.matches("\\[\\d+/10] .*")).toList();
        assertThat(steps).hasSize(10);
        assertThat(steps.get(0)).startsWith("[1/10] fan-out under a limit (Gather.ordered)");
        assertThat(steps.get(7)).startsWith("[8/10] work queue + graceful shutdown (WorkQueue)");
        assertThat(run.out().stream()
                        .filter(l -> l.strip().startsWith("-> ok: "))
                        .count())
                .isEqualTo(10);

        int summary = run.out().indexOf("Summary");
        assertThat(summary).isPositive();
        List<String> table = run.out().subList(summary + 2, summary + 12);
        assertThat(table).allSatisfy(row -> assertThat(row).endsWith("  ok"));
        assertThat(table.get(0)).contains("100 calls, at most", "in flight (limit 8), results in input order");
        assertThat(table.get(1)).contains("token bucket (TokenBucket)", "set 10/s, achieved");
        assertThat(table.get(2)).contains("5 of 10 got 503 + Retry-After: 1", "all 10 succeeded");
        assertThat(table.get(3)).contains("DeadlineExceededException");
        assertThat(table.get(4)).contains("10,000 items in 20 pages; take(3) fetched 1 page");
        assertThat(table.get(5)).contains("100 lines parsed as they arrived");
        assertThat(table.get(6)).contains("1 failed (HTTP 500), the slow sibling cancelled");
        assertThat(table.get(7)).contains("39 done, job 13 failed alone");
        assertThat(steps.get(8)).startsWith("[9/10] database: lazy stream, cancel, rollback (r2dbc Database)");
        assertThat(table.get(8))
                .contains("took 5 of 100,000 rows; connection back in the pool; the cancelled "
                        + "transaction rolled back");
        assertThat(steps.get(9)).startsWith("[10/10] one limit for two clients (RedisTokenBucket)");
        assertThat(table.get(9)).contains("set 20/s shared, achieved");
        assertThat(run.out().get(run.out().size() - 1)).isEqualTo("All 10 patterns did what they promise.");
    }

    @Test
    void helpDescribesTheTour() {
        CliRun run = CliRun.run("", "demo", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(String.join("\n", run.out())).contains("guided tour", "Ctrl-C");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun run = CliRun.run("", "demo", "--fast");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .containsExactly(
                        "reactor-patterns demo: Unknown option: '--fast' (see 'reactor-patterns demo --help')");
    }
}
