package io.github.reactorpatterns.benchmarks.r2dbc;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.r2dbc.Database;
import io.github.reactorpatterns.test.PostgresServer;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Row;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Side by side against one embedded PostgreSQL: rows/s of {@link Database#query} against raw r2dbc-postgresql
 * with the same fetch size, and per-id fetch latency at concurrency 10 against a raw r2dbc-pool + {@code flatMap}.
 * A plain {@code main}: the work is network I/O to another process. Usage: {@code R2dbcBench [rows] [ids] [rounds]}.
 */
public final class R2dbcBench {

    private static final String STREAM_SQL = "SELECT g, md5(g::text) FROM generate_series(1, %d) g";
    private static final int FETCH_SIZE = Database.DEFAULT_FETCH_SIZE;
    private static final int CONCURRENCY = 10;

    private R2dbcBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args rows to stream (default 1,000,000), ids to fetch (default 5,000), rounds (default 5)
     */
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int idCount = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        try (PostgresServer server = PostgresServer.start()) {
            Database db = Database.builder(server.r2dbcUrl())
                    .minIdle(CONCURRENCY)
                    .maxSize(20)
                    .acquireTimeout(Duration.ofSeconds(60))
                    .build();
            ConnectionPool raw =
                    new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(server.r2dbcUrl()))
                            .initialSize(CONCURRENCY)
                            .maxSize(20)
                            .build());
            db.warmup().block();
            raw.warmup().block();
            db.execute("CREATE TABLE items AS SELECT g AS id, md5(g::text) AS name FROM generate_series(1, " + idCount
                            + ") g")
                    .then(db.execute("ALTER TABLE items ADD PRIMARY KEY (id)"))
                    .block();
            String sql = String.format(Locale.ROOT, STREAM_SQL, rows);

            Supplier<Long> ours =
                    () -> db.query(sql, R2dbcBench::mapRow).count().block();
            Supplier<Long> rawStream = () -> Flux.usingWhen(
                            raw.create(),
                            c -> Flux.from(c.createStatement(sql)
                                            .fetchSize(FETCH_SIZE)
                                            .execute())
                                    .concatMap(result -> result.map((row, meta) -> mapRow(row))),
                            Connection::close)
                    .count()
                    .block();
            System.out.printf(
                    Locale.ROOT,
                    "stream %,d rows, fetch size %d, %d rounds (after 2 warm-ups each)%n",
                    rows,
                    FETCH_SIZE,
                    rounds);
            compare("Database.query", ours, "raw r2dbc-postgresql", rawStream, rows, rounds, "rows");

            List<Integer> ids = IntStream.rangeClosed(1, idCount).boxed().toList();
            String byId = "SELECT name FROM items WHERE id = $1";
            System.out.printf(Locale.ROOT, "%nper-id fetch of %,d ids at concurrency %d%n", idCount, CONCURRENCY);
            for (int round = 0; round < 2 + rounds; round++) {
                long[] ourLatency = latencies(Flux.fromIterable(ids)
                        .transform(Gather.ordered(
                                CONCURRENCY,
                                id -> db.queryOne(byId, r -> r.get(0, String.class), id)
                                        .elapsed())));
                long[] rawLatency = latencies(Flux.fromIterable(ids)
                        .flatMap(
                                id -> Mono.usingWhen(
                                                raw.create(),
                                                c -> Mono.from(c.createStatement(byId)
                                                                .bind(0, id)
                                                                .execute())
                                                        .flatMap(result -> Mono.from(
                                                                result.map((row, meta) -> row.get(0, String.class)))),
                                                Connection::close)
                                        .elapsed(),
                                CONCURRENCY));
                long start = System.nanoTime();
                int fetched = db.fetchEach(ids, CONCURRENCY, byId, r -> r.get(0, String.class))
                        .count()
                        .blockOptional()
                        .orElse(0L)
                        .intValue();
                double eachPerSecond = fetched / ((System.nanoTime() - start) / 1e9);
                if (round >= 2) {
                    System.out.printf(
                            Locale.ROOT,
                            "round %d: ours p50 %.2f ms p99 %.2f ms | raw p50 %.2f ms"
                                    + " p99 %.2f ms | fetchEach %,.0f ids/s%n",
                            round - 1,
                            pct(ourLatency, 50),
                            pct(ourLatency, 99),
                            pct(rawLatency, 50),
                            pct(rawLatency, 99),
                            eachPerSecond);
                }
            }
            db.close();
            raw.disposeLater().block();
        }
    }

    private static String mapRow(Row row) {
        return row.get(1, String.class);
    }

    private static long[] latencies(Flux<? extends reactor.util.function.Tuple2<Long, ?>> timed) {
        List<? extends reactor.util.function.Tuple2<Long, ?>> all =
                timed.collectList().block();
        long[] millis =
                all.stream().mapToLong(reactor.util.function.Tuple2::getT1).toArray();
        Arrays.sort(millis);
        return millis;
    }

    private static double pct(long[] sorted, int percentile) {
        // elapsed() is in milliseconds: report the nearest-rank percentile
        int index = Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)];
    }

    private static void compare(
            String nameA, Supplier<Long> a, String nameB, Supplier<Long> b, int units, int rounds, String unit) {
        for (int i = 0; i < 2; i++) {
            a.get();
            b.get();
        }
        List<double[]> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            double[] ra = run(a, units);
            double[] rb = run(b, units);
            results.add(new double[] {ra[0], ra[1], rb[0], rb[1]});
            System.out.printf(
                    Locale.ROOT,
                    "round %d: %s %,.0f %s/s (CPU %.1f ms/1k) | %s %,.0f %s/s (CPU %.1f ms/1k)" + " | ratio %.2f%n",
                    round + 1,
                    nameA,
                    ra[0],
                    unit,
                    ra[1],
                    nameB,
                    rb[0],
                    unit,
                    rb[1],
                    ra[0] / rb[0]);
        }
        double[] ratios =
                results.stream().mapToDouble(r -> r[0] / r[2]).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "median ratio %s / %s: %.2f (min %.2f, max %.2f)%n",
                nameA,
                nameB,
                ratios[ratios.length / 2],
                ratios[0],
                ratios[ratios.length - 1]);
    }

    /** Units per second and process CPU milliseconds per 1,000 units. */
    private static double[] run(Supplier<Long> work, int units) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        long count = work.get();
        long wall = System.nanoTime() - start;
        long cpuUsed = os.getProcessCpuTime() - cpu;
        if (count != units) {
            throw new IllegalStateException("expected " + units + " but got " + count);
        }
        return new double[] {units / (wall / 1e9), cpuUsed / 1e6 / (units / 1000.0)};
    }
}
