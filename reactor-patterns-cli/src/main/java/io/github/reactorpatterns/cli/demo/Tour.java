package io.github.reactorpatterns.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.reactorpatterns.cli.InFlight;
import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.concurrent.TaskGroupException;
import io.github.reactorpatterns.concurrent.TaskScope;
import io.github.reactorpatterns.http.HttpStatusException;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.queue.WorkQueue;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.stream.Page;
import io.github.reactorpatterns.stream.Paginate;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The steps of the guided tour, each a lazy {@code Mono<Step>} that runs against the demo server. */
final class Tour {

    static final int FAN_OUT_CALLS = 100;
    static final int FAN_OUT_LIMIT = 8;
    static final int RATE_PER_SECOND = 10;
    static final int RATE_BURST = 2;
    static final int RATE_CALLS = 22;
    static final int FLAKY_CALLS = 10;
    static final Duration DEADLINE = Duration.ofMillis(800);
    static final int JOBS = 40;
    static final int WORKERS = 4;

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Jackson builds and caches its JsonNode deserializer under a lock on first use; do it here, on the caller's
        // thread, so that no event-loop thread ever waits for that lock.
        parse("{\"warm\":[1]}");
    }

    private final DemoServer server;
    private final DemoHttp http;

    Tour(DemoServer server, DemoHttp http) {
        this.server = server;
        this.http = http;
    }

    /** Every step, in order. */
    List<Supplier<Mono<Step>>> steps() {
        return List.of(
                this::fanOut,
                this::tokenBucket,
                this::retries,
                this::deadline,
                this::pagination,
                this::streaming,
                this::taskScope,
                this::workQueue,
                new DatabaseTour()::streamAndRollback,
                this::redisBucket);
    }

    /** One {@code RedisTokenBucket} shared by two clients through an embedded Redis. */
    Mono<Step> redisBucket() {
        return RedisTour.sharedBucket(server, http);
    }

    private static Mono<Step> timed(Mono<Step> step) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return step.map(s -> new Step(
                    s.pattern(), s.result(), s.details(), Duration.ofNanos(System.nanoTime() - start), s.ok()));
        });
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }

    /** 1. {@code asyncio.gather} under a {@code Semaphore(8)}: Gather.ordered with a concurrency limit. */
    Mono<Step> fanOut() {
        InFlight probe = new InFlight();
        List<Integer> ids = IntStream.range(0, FAN_OUT_CALLS).boxed().toList();
        return timed(Flux.fromIterable(ids)
                .transform(Gather.ordered(
                        FAN_OUT_LIMIT,
                        (Integer id) -> probe.track(http.get(server.url("/items/" + id)))
                                .map(Tour::id)))
                .collectList()
                .map(results -> {
                    boolean inOrder = results.equals(ids);
                    int serverMax = server.mock().maxConcurrentRequests();
                    // The server counts a request until it has written the last byte, a moment after the client
                    // already has the response and may send the next one: its count can exceed the limit by one.
                    boolean ok = results.size() == FAN_OUT_CALLS
                            && inOrder
                            && probe.max() <= FAN_OUT_LIMIT
                            && serverMax <= FAN_OUT_LIMIT + 1;
                    return new Step(
                            "fan-out under a limit (Gather.ordered)",
                            results.size() + " calls, at most " + probe.max() + " in flight (limit " + FAN_OUT_LIMIT
                                    + "), results in input order",
                            List.of(
                                    "Gather.ordered(" + FAN_OUT_LIMIT + ", id -> get(\"/items/\" + id)) over "
                                            + FAN_OUT_CALLS + " ids: " + results.size() + " results, input order kept: "
                                            + inOrder,
                                    "most calls in flight: " + probe.max() + " (limit " + FAN_OUT_LIMIT
                                            + "); the server counted " + serverMax + " (it counts a call until "
                                            + "its last byte is written)"),
                            Duration.ZERO,
                            ok);
                }));
    }

    /** 2. The seeds' {@code TokenBucket(rate, burst)}: TokenBucket.withToken paces the starts. */
    Mono<Step> tokenBucket() {
        TokenBucket bucket = TokenBucket.builder()
                .rate(RATE_PER_SECOND, Duration.ofSeconds(1))
                .burst(RATE_BURST)
                .build();
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        return timed(Flux.range(0, RATE_CALLS)
                .transform(Gather.unordered(
                        RATE_CALLS,
                        (Integer id) -> bucket.withToken(Mono.defer(() -> {
                            starts.add(System.nanoTime());
                            return http.get(server.url("/items/" + id));
                        }))))
                .then(Mono.fromCallable(() -> {
                    long first =
                            starts.stream().mapToLong(Long::longValue).min().orElse(0);
                    long last = starts.stream().mapToLong(Long::longValue).max().orElse(0);
                    // the first RATE_BURST start at once; the rest are paced: (n - burst) intervals after the first
                    double achieved = (starts.size() - RATE_BURST) / Math.max((last - first) / 1e9, 1e-9);
                    double off = (achieved - RATE_PER_SECOND) / RATE_PER_SECOND;
                    String rate = String.format(Locale.ROOT, "%.1f/s", achieved);
                    List<String> details = new ArrayList<>(List.of(
                            RATE_CALLS + " calls all ready at once, each behind bucket.withToken(...):",
                            RATE_BURST + " started at once (the burst), the other " + (starts.size() - RATE_BURST)
                                    + " over " + seconds(last - first) + " = " + rate + " (set: " + RATE_PER_SECOND
                                    + "/s, burst " + RATE_BURST + ")"));
                    if (off < -0.05) {
                        details.add("(below the set rate: this machine is busy and the timers fired late; the "
                                + "bucket never goes above the rate)");
                    }
                    // The promise is "never faster than the rate"; close to it when the machine keeps up.
                    boolean ok = off <= 0.02 && off >= -0.25;
                    return new Step(
                            "token bucket (TokenBucket)",
                            "set " + RATE_PER_SECOND + "/s, achieved " + rate + " ("
                                    + (Math.abs(off) < 0.0005 ? "0.0" : String.format(Locale.ROOT, "%+.1f", off * 100))
                                    + "%)",
                            details,
                            Duration.ZERO,
                            ok);
                })));
    }

    /** 3. The seeds' {@code retry_async}: RetryPolicy with backoff that waits at least what Retry-After asks. */
    Mono<Step> retries() {
        RetryPolicy policy = RetryPolicy.backoff(3, Duration.ofMillis(50))
                .retryOn(HttpStatusException.class)
                .build();
        return timed(Flux.range(0, FLAKY_CALLS)
                .transform(Gather.ordered(
                        FLAKY_CALLS,
                        (Integer n) -> http.get(server.url("/flaky/" + n)).retryWhen(policy)))
                .collectList()
                .map(bodies -> {
                    int retried = 0;
                    long shortestWait = Long.MAX_VALUE;
                    for (int n = 0; n < FLAKY_CALLS; n++) {
                        List<Long> arrivals = new ArrayList<>(server.flakyArrivals("/flaky/" + n));
                        if (arrivals.size() > 1) {
                            retried++;
                            shortestWait = Math.min(shortestWait, arrivals.get(1) - arrivals.get(0));
                        }
                    }
                    boolean ok =
                            bodies.size() == FLAKY_CALLS && retried == FLAKY_CALLS / 2 && shortestWait >= 990_000_000L;
                    return new Step(
                            "retry honouring Retry-After (RetryPolicy)",
                            retried + " of " + FLAKY_CALLS + " got 503 + Retry-After: 1, retried after >= "
                                    + seconds(shortestWait) + ", all " + bodies.size() + " succeeded",
                            List.of(
                                    "RetryPolicy.backoff(3, 50ms): the backoff would retry after ~50ms, the server "
                                            + "said 'Retry-After: 1'",
                                    "the shortest wait before a retry was " + seconds(shortestWait)
                                            + "; every call ended with 200"),
                            Duration.ZERO,
                            ok);
                }));
    }

    /** 4. {@code asyncio.timeout}: a Deadline in the Context cuts a nested call's own, longer timeout. */
    Mono<Step> deadline() {
        AtomicBoolean slowCancelled = new AtomicBoolean();
        AtomicLong fastDone = new AtomicLong();
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<String> dashboard = Mono.zip(http.get(server.url("/items/1")), http.get(server.url("/items/2")))
                    .doOnNext(t -> fastDone.set(System.nanoTime() - start))
                    .then(http.get(server.url("/slow/1"))
                            // cut either way: cancelled by the outer deadline, or ended by the client itself, which
                            // bounds every attempt by the Deadline in the Context
                            .doOnCancel(() -> slowCancelled.set(true))
                            .doOnError(DeadlineExceededException.class, e -> slowCancelled.set(true))
                            .transform(Deadline.timeout(Duration.ofSeconds(10))))
                    .transform(Deadline.within(DEADLINE));
            return dashboard
                    .map(body -> new Step(
                            "deadline (Deadline)",
                            "the slow call was not cut off",
                            List.of(),
                            Duration.ofNanos(System.nanoTime() - start),
                            false))
                    .onErrorResume(e -> {
                        long took = System.nanoTime() - start;
                        boolean ok = e instanceof DeadlineExceededException
                                && slowCancelled.get()
                                && took >= DEADLINE.toNanos() - 20_000_000L;
                        return Mono.just(new Step(
                                "deadline (Deadline)",
                                "2 fast calls in " + seconds(fastDone.get()) + ", the slow one cut at " + seconds(took)
                                        + " (" + e.getClass().getSimpleName() + ")",
                                List.of(
                                        "Deadline.within(" + DEADLINE.toMillis() + "ms) around two fast calls and a "
                                                + "slow one that has its own 10s Deadline.timeout",
                                        "the server takes " + DemoServer.SLOW_DELAY_MS / 1000 + "s; the slow call "
                                                + "was cancelled at " + seconds(took) + " with "
                                                + e.getClass().getSimpleName()),
                                Duration.ofNanos(took),
                                ok));
                    });
        });
    }

    /** 5. An async generator over a cursor-paginated API: Paginate.byCursor, lazy. */
    Mono<Step> pagination() {
        Flux<JsonNode> users = Paginate.byCursor((Optional<String> cursor) -> http.get(
                        server.url("/users" + cursor.map(c -> "?cursor=" + c).orElse("")))
                .map(Tour::page));
        return timed(Mono.defer(() -> {
            int before = server.userPagesServed();
            return users.take(3).count().flatMap(firstThree -> {
                int pagesForThree = server.userPagesServed() - before;
                int start = server.userPagesServed();
                return users.map(u -> u.get("id").asInt()).distinct().count().map(count -> {
                    int pages = server.userPagesServed() - start;
                    boolean ok = count == DemoServer.USERS
                            && pages == DemoServer.USERS / DemoServer.PAGE_SIZE
                            && pagesForThree == 1;
                    return new Step(
                            "cursor pagination (Paginate.byCursor)",
                            String.format(
                                    Locale.ROOT,
                                    "%,d items in %d pages; take(3) fetched %d page",
                                    count,
                                    pages,
                                    pagesForThree),
                            List.of(
                                    "Paginate.byCursor(cursor -> get(\"/users?cursor=\" + cursor)) is lazy ("
                                            + DemoServer.PAGE_SIZE + " users a page):",
                                    "take(3) fetched " + pagesForThree + " page; the whole walk fetched " + pages
                                            + " pages, " + String.format(Locale.ROOT, "%,d", count)
                                            + " distinct users"),
                            Duration.ZERO,
                            ok);
                });
            });
        }));
    }

    /** 6. Streaming lines ({@code aiter_lines}): PooledHttpClient.lines, ByteStreams.lines over the body. */
    Mono<Step> streaming() {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            AtomicLong firstAt = new AtomicLong();
            AtomicInteger outOfOrder = new AtomicInteger();
            AtomicInteger expected = new AtomicInteger();
            return http.lines(server.url("/events"))
                    .map(Tour::parse)
                    .doOnNext(event -> {
                        firstAt.compareAndSet(0, System.nanoTime() - start);
                        if (event.get("seq").asInt() != expected.getAndIncrement()) {
                            outOfOrder.incrementAndGet();
                        }
                    })
                    .count()
                    .map(lines -> {
                        long took = System.nanoTime() - start;
                        boolean ok = lines == DemoServer.EVENTS && outOfOrder.get() == 0 && firstAt.get() < took / 2;
                        return new Step(
                                "streaming NDJSON lines (PooledHttpClient.lines)",
                                lines + " lines parsed as they arrived; first after " + seconds(firstAt.get()) + " of "
                                        + seconds(took),
                                List.of(
                                        "client.get(\"/events\").lines() - ByteStreams.lines over the body chunks - "
                                                + "then Jackson per line: " + lines + " events, "
                                                + (outOfOrder.get() == 0
                                                        ? "all in order"
                                                        : outOfOrder.get() + " out of order"),
                                        "first event handled after " + seconds(firstAt.get())
                                                + ", while the server was still sending (body took "
                                                + seconds(took) + ")"),
                                Duration.ofNanos(took),
                                ok);
                    });
        });
    }

    /** 7. {@code asyncio.TaskGroup}: a TaskScope whose failing child cancels its siblings. */
    Mono<Step> taskScope() {
        AtomicBoolean slowCancelled = new AtomicBoolean();
        AtomicBoolean fastDone = new AtomicBoolean();
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return TaskScope.open(scope -> {
                        scope.fork(http.get(server.url("/items/7")).doOnNext(b -> fastDone.set(true)));
                        scope.fork(http.get(server.url("/slow/2")).doOnCancel(() -> slowCancelled.set(true)));
                        scope.fork(http.get(server.url("/fail")));
                        return Mono.empty();
                    })
                    .then(Mono.fromCallable(() -> new Step(
                            "task group (TaskScope)",
                            "no child failed",
                            List.of(),
                            Duration.ofNanos(System.nanoTime() - start),
                            false)))
                    .onErrorResume(e -> {
                        long took = System.nanoTime() - start;
                        List<Throwable> errors =
                                e instanceof TaskGroupException group ? group.exceptions() : List.of(e);
                        boolean ok = e instanceof TaskGroupException
                                && errors.size() == 1
                                && errors.get(0) instanceof HttpStatusException he
                                && he.status() == 500
                                && slowCancelled.get()
                                && fastDone.get();
                        return Mono.just(new Step(
                                "task group (TaskScope)",
                                "3 children: 1 ok, 1 failed (HTTP 500), the slow sibling cancelled at " + seconds(took),
                                List.of(
                                        "TaskScope.open(scope -> fork(/items/7), fork(/slow/2), fork(/fail))",
                                        "/fail answered 500 -> the scope cancelled /slow/2 (a 5s call) at "
                                                + seconds(took) + " and failed with "
                                                + e.getClass().getSimpleName() + " holding " + errors.size()
                                                + " error: " + errors.get(0).getMessage()),
                                Duration.ofNanos(took),
                                ok));
                    });
        });
    }

    /** 8. {@code asyncio.Queue} with workers: WorkQueue, error isolation, join, then a graceful shutdown. */
    Mono<Step> workQueue() {
        InFlight probe = new InFlight();
        List<Integer> failedJobs = Collections.synchronizedList(new ArrayList<>());
        return timed(Mono.defer(() -> {
            WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                    .capacity(10)
                    .workers(WORKERS)
                    .handler(job -> probe.track(http.get(server.url("/jobs/" + job))))
                    .onFailure((job, error) -> failedJobs.add(job))
                    .build();
            Mono<Void> all = Flux.range(0, JOBS).concatMap(queue::put).then(queue.join());
            // A second batch, then shutdown with a grace period shorter than the batch: some jobs never start.
            return all.then(Mono.defer(() -> {
                long completedBefore = queue.completed();
                long failedBefore = queue.failed();
                for (int job = JOBS; job < JOBS + 14; job++) {
                    queue.offer(job);
                }
                return queue.shutdown(Duration.ofMillis(75)).map(neverStarted -> {
                    long done = queue.completed() - completedBefore;
                    long cancelled = queue.failed() - failedBefore;
                    boolean accounted = done + cancelled + neverStarted.size() == 14;
                    boolean ok = completedBefore == JOBS - 1
                            && failedBefore == 1
                            && failedJobs.contains(13)
                            && probe.max() <= WORKERS
                            && accounted
                            && !neverStarted.isEmpty();
                    return new Step(
                            "work queue + graceful shutdown (WorkQueue)",
                            completedBefore + " done, job 13 failed alone; shutdown: " + done + " finished, "
                                    + cancelled + " cancelled, " + neverStarted.size() + " handed back",
                            List.of(
                                    "WorkQueue(capacity 10, " + WORKERS + " workers): " + JOBS + " jobs put, join(): "
                                            + completedBefore + " completed, " + failedBefore
                                            + " failed (job 13, HTTP 500) without stopping the workers; at most "
                                            + probe.max() + " jobs ran at once",
                                    "14 more jobs, then shutdown(75ms): " + done + " finished in the grace period, "
                                            + cancelled + " were cancelled, " + neverStarted.size()
                                            + " never started and were handed back " + neverStarted),
                            Duration.ZERO,
                            ok);
                });
            }));
        }));
    }

    private static int id(String json) {
        return parse(json).get("id").asInt();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Page<JsonNode, String> page(String json) {
        JsonNode root = parse(json);
        List<JsonNode> items = new ArrayList<>();
        root.get("items").forEach(items::add);
        JsonNode next = root.get("next_cursor");
        return next == null || next.isNull() ? Page.last(items) : Page.of(items, next.asText());
    }
}
