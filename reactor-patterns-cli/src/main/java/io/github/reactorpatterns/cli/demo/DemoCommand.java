package io.github.reactorpatterns.cli.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.github.reactorpatterns.lifecycle.ReactiveMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** {@code reactor-patterns demo}: the guided tour on an embedded flaky, slow and paginated server. */
@Command(
        name = "demo",
        usageHelpAutoWidth = true,
        description = {
            "A guided tour of the patterns against an embedded HTTP server (loopback, no network needed): fan-out "
                    + "under a concurrency limit, a token bucket, retries honouring Retry-After, a deadline, cursor "
                    + "pagination, streamed NDJSON lines, a task group with a failing child, and a work queue with "
                    + "a graceful shutdown, then a lazily streamed table and a rolled-back transaction on an embedded "
                    + "PostgreSQL. "
                    + "Ends with a summary table.",
            "Ctrl-C stops it gracefully at any time."
        },
        footer = {"", "Exit codes: 0 every pattern did what it promises, 1 one did not, 130 interrupted (Ctrl-C)."})
public final class DemoCommand implements Callable<Integer> {

    /** How long the cleanup may take after Ctrl-C. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private final PrintStream out;
    private final PrintStream err;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    /**
     * A demo command that writes its report to {@code out} and problems to {@code err}.
     *
     * @param out the report
     * @param err problems
     */
    public DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        List<Step> done = new ArrayList<>();
        DemoServer server = new DemoServer();
        DemoHttp http = new DemoHttp();
        Tour tour = new Tour(server, http);
        List<Supplier<Mono<Step>>> steps = tour.steps();
        out.println("reactor-patterns demo: " + steps.size() + " patterns against an embedded server at "
                + server.url("/") + " (Ctrl-C stops gracefully)");
        out.println();
        AtomicInteger number = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Mono<Void> app = Flux.fromIterable(steps)
                .concatMap(Supplier::get)
                .publishOn(Schedulers.boundedElastic())
                .doOnNext(step -> {
                    done.add(step);
                    print(number.incrementAndGet(), steps.size(), step);
                })
                .doOnError(failure::set)
                .then();
        int code = ReactiveMain.run(app, GRACE, null, http::close, server::close);
        if (code == ReactiveMain.EXIT_SIGINT || code == ReactiveMain.EXIT_SIGTERM) {
            err.println("demo: interrupted after " + done.size() + " of " + steps.size()
                    + " steps; the server and the connection pool were shut down");
            return code;
        }
        if (code != ReactiveMain.EXIT_SUCCESS || done.size() != steps.size()) {
            Throwable e = failure.get();
            err.println("demo: stopped after " + done.size() + " of " + steps.size() + " steps"
                    + (e == null ? "" : ": " + e));
            return ReactiveMain.EXIT_FAILURE;
        }
        summary(done);
        long failed = done.stream().filter(s -> !s.ok()).count();
        out.println();
        out.println(
                failed == 0
                        ? "All " + done.size() + " patterns did what they promise."
                        : failed + " of " + done.size() + " patterns did NOT do what they promise (see above).");
        return failed == 0 ? 0 : 1;
    }

    private void print(int n, int total, Step step) {
        out.println("[" + n + "/" + total + "] " + step.pattern() + "  (" + seconds(step.time()) + ")");
        for (String line : step.details()) {
            out.println("      " + line);
        }
        out.println("      -> " + (step.ok() ? "ok" : "NOT OK") + ": " + step.result());
        out.println();
        out.flush();
    }

    private void summary(List<Step> steps) {
        int patternWidth = "pattern".length();
        int resultWidth = "result".length();
        for (Step s : steps) {
            patternWidth = Math.max(patternWidth, s.pattern().length());
            resultWidth = Math.max(resultWidth, s.result().length());
        }
        String format = "%2s  %-" + patternWidth + "s  %-" + resultWidth + "s  %6s  %s%n";
        out.println("Summary");
        out.printf(Locale.ROOT, format, "#", "pattern", "result", "time", "check");
        Duration total = Duration.ZERO;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            total = total.plus(s.time());
            out.printf(
                    Locale.ROOT, format, i + 1, s.pattern(), s.result(), seconds(s.time()), s.ok() ? "ok" : "NOT OK");
        }
        out.printf(Locale.ROOT, format, "", "total", "", seconds(total), "");
        out.flush();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2fs", d.toNanos() / 1e9);
    }
}
