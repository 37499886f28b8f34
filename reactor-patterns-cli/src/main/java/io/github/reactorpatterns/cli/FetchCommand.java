package io.github.reactorpatterns.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import io.github.reactorpatterns.lifecycle.ReactiveMain;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** {@code reactor-patterns fetch}: many URLs, concurrently, under limits; NDJSON out, a summary on stderr. */
@Command(
        name = "fetch",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Fetch every URL in FILE (one per line; blank lines and # comments skipped) concurrently, under a "
                    + "concurrency limit, a rate limit, retries and timeouts.",
            "Writes one JSON line per URL to stdout: url, status, bytes, ms, attempts, error. "
                    + "Progress (on a terminal) and a summary go to stderr."
        },
        footer = {
            "",
            "Runs on PooledHttpClient: --rate is its TokenBucket, --concurrency its AsyncSemaphore, --retries its "
                    + "RetryPolicy, --deadline a Deadline in the Reactor Context.",
            "Retries: idempotent methods only (GET, HEAD, OPTIONS, PUT, DELETE, TRACE), on connect errors, timeouts, "
                    + "closed connections and 429/502/503/504; exponential backoff from 100ms (jittered, at most "
                    + "10s), or longer when the server sends Retry-After; never past the deadline.",
            "Exit codes: 0 every URL fetched with a 2xx/3xx status, 1 some URL failed, 2 bad input (unknown option, "
                    + "bad value, unreadable file, a bad or unreachable --redis, malformed URL lines; the well-formed "
                    + "lines are still fetched), "
                    + "130 interrupted (Ctrl-C: the summary still covers what was done)."
        })
final class FetchCommand implements Callable<Integer> {

    static final int DEFAULT_CONCURRENCY = 16;
    static final int DEFAULT_RETRIES = 2;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** How long the in-flight requests may take to be cancelled after Ctrl-C. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final Io io;
    private final FetchEngine.Factory engines;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "File with one URL per line, or - for stdin.")
    String file = "-";

    @Option(
            names = {"-c", "--concurrency"},
            paramLabel = "N",
            description = "Most requests in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency = DEFAULT_CONCURRENCY;

    @Option(
            names = "--rate",
            paramLabel = "N/s|N/m",
            converter = RateConverter.class,
            description = "Most requests started per second or minute, retries included, e.g. 100/s or 30/m "
                    + "(default: no limit).")
    @Nullable
    Rate rate;

    @Option(
            names = "--burst",
            paramLabel = "N",
            description = "Requests that may start at once before --rate applies (default: 1).")
    @Nullable
    Integer burst;

    @Option(
            names = "--retries",
            paramLabel = "N",
            description = "Retries per URL after the first attempt (default: ${DEFAULT-VALUE}).")
    int retries = DEFAULT_RETRIES;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Limit on each phase of an attempt - pool wait, connect, write, response headers, each gap "
                    + "between reads - e.g. 500ms, 10s (default: 10s).")
    Duration timeout = DEFAULT_TIMEOUT;

    @Option(
            names = "--deadline",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Limit on the whole run, e.g. 30s, 5m: what has not finished by then fails as "
                    + "'deadline' (default: none).")
    @Nullable
    Duration deadline;

    @Option(
            names = {"-X", "--method"},
            paramLabel = "METHOD",
            description = "HTTP method (default: GET).")
    String method = "GET";

    @Option(
            names = {"-H", "--header"},
            paramLabel = "'NAME: VALUE'",
            description = "Extra request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(
            names = "--http2",
            description = "Use HTTP/2: h2 over TLS (ALPN; HTTP/1.1 if the server refuses), h2c "
                    + "with prior knowledge in clear text (the server must speak it).")
    boolean http2;

    @Option(names = "--ordered", description = "Write results in input order (default: as they complete).")
    boolean ordered;

    @Option(
            names = "--progress",
            negatable = true,
            description = "Show a progress bar on stderr (default: only when stderr is a terminal).")
    @Nullable
    Boolean progress;

    @Option(
            names = "--redis",
            paramLabel = "URI",
            description = "Share --rate and --concurrency through this Redis (e.g. redis://localhost:6379) with every "
                    + "fetch that uses the same server and --limit-name: the limits hold for all of them together, "
                    + "and a Retry-After pauses all of them (default: limits of this process only).")
    @Nullable
    String redis;

    @Option(
            names = "--limit-name",
            paramLabel = "NAME",
            description = "Name of the shared limits in Redis (default: " + RedisLimits.DEFAULT_NAME + ").")
    String limitName = RedisLimits.DEFAULT_NAME;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    FetchCommand(Io io, FetchEngine.Factory engines) {
        this.io = io;
        this.engines = engines;
    }

    @Override
    public Integer call() {
        FetchSettings settings = settings();
        UrlList list = readUrls();
        for (UrlList.Malformed bad : list.malformed()) {
            io.err().println(prefix() + bad.message());
        }
        NdjsonWriter writer = new NdjsonWriter(io.out());
        FetchReport report = new FetchReport();
        long start = System.nanoTime();
        int maxConcurrency;
        int code;
        RedisLimits shared = redis == null ? null : RedisLimits.connect(redis, limitName, settings);
        try (RedisLimits ignored = shared;
                FetchEngine engine =
                        shared != null ? new PooledFetchEngine(settings, shared) : engines.create(settings);
                Progress bar = Progress.enabled(progress)
                        ? Progress.bar("fetch", list.urls().size(), io.err())
                        : Progress.none()) {
            FetchRun run = new FetchRun(engine, settings);
            // Results are written on a thread that may block, never on an event loop; Ctrl-C (or SIGTERM) cancels
            // the run through ReactiveMain, and the summary below still reports what was done.
            Mono<Void> app = run.results(list.urls())
                    .publishOn(Schedulers.boundedElastic(), settings.concurrency())
                    .doOnNext(result -> {
                        writer.write(result);
                        report.record(result);
                        bar.step();
                    })
                    .then();
            code = ReactiveMain.run(app, GRACE);
            maxConcurrency = run.maxConcurrency();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (code == ReactiveMain.EXIT_SIGINT || code == ReactiveMain.EXIT_SIGTERM) {
            io.err()
                    .println(prefix() + "interrupted after " + report.requests() + " of "
                            + list.urls().size() + " URLs");
        }
        for (String line : report.summary(
                elapsed, maxConcurrency, settings, list.malformed().size())) {
            io.err().println(line);
        }
        if (code != ReactiveMain.EXIT_SUCCESS) {
            return code;
        }
        if (!list.malformed().isEmpty()) {
            return 2;
        }
        return report.failures() > 0 ? 1 : 0;
    }

    private String prefix() {
        return spec.qualifiedName() + ": ";
    }

    FetchSettings settings() {
        if (concurrency <= 0) {
            throw bad("--concurrency must be at least 1 but was " + concurrency);
        }
        if (retries < 0) {
            throw bad("--retries must be 0 or more but was " + retries);
        }
        if (burst != null && burst <= 0) {
            throw bad("--burst must be at least 1 but was " + burst);
        }
        if (burst != null && rate == null) {
            throw bad("--burst needs --rate");
        }
        String m = method.toUpperCase(Locale.ROOT);
        if (!TOKEN.matcher(m).matches()) {
            throw bad("--method must be an HTTP method such as GET or POST but was '" + method + "'");
        }
        List<Map.Entry<String, String>> parsed = new ArrayList<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            String name = colon < 0 ? "" : header.substring(0, colon).strip();
            if (!TOKEN.matcher(name).matches()) {
                throw bad("--header must look like 'Name: value' but was '" + header + "'");
            }
            parsed.add(new AbstractMap.SimpleImmutableEntry<>(
                    name, header.substring(colon + 1).strip()));
        }
        return new FetchSettings(
                concurrency, rate, burst == null ? 1 : burst, retries, timeout, deadline, m, parsed, http2, ordered);
    }

    private UrlList readUrls() {
        if (file.equals("-")) {
            try {
                return UrlList.read(new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UsageException("cannot read standard input: " + reason(e));
            }
        }
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
            throw new UsageException("cannot read '" + file + "': it is a directory");
        }
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return UrlList.read(reader);
        } catch (IOException e) {
            throw new UsageException("cannot read '" + file + "': " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code --rate} values. */
    static final class RateConverter implements ITypeConverter<Rate> {
        @Override
        public Rate convert(String value) {
            try {
                return Rate.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --timeout} and {@code --deadline} values. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationText.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
