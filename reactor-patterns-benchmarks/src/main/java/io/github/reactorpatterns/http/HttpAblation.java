package io.github.reactorpatterns.http;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Flux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Where the fan-out's cost over raw reactor-netty goes: raw reactor-netty with one piece of {@link PooledHttpClient}
 * added at a time, side by side in one JVM against {@code HttpFanoutServer} (another process). A diagnostic, not a
 * claim: it lives in the http package (in this module only) because two variants use the client's package-private
 * wiring ({@link NettyWiring}, {@link ResponseGuard}).
 *
 * <p>Every variant runs 3 warm-up runs, then {@code rounds} rounds in which each runs once, in turn; printed are the
 * median over rounds of the throughput ratio to {@code raw} in the same round, and of the ratio of the CPU time of
 * the event-loop threads and the caller, with their ranges, and the bytes allocated per request.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.github.reactorpatterns.http.HttpAblation URL [requests] [rounds]
 * [variant,variant,...]} (raw is always included).
 */
public final class HttpAblation {

    private HttpAblation() {}

    /** One variant: the whole fan-out of {@code uris} with at most {@code concurrency} in flight. */
    private interface Variant {
        void run(List<String> uris, int concurrency);

        void close();
    }

    private static Variant raw(
            String name,
            Function<ConnectionProvider.Builder, ConnectionProvider.Builder> pool,
            Function<HttpClient, HttpClient> client) {
        ConnectionProvider provider =
                pool.apply(ConnectionProvider.builder(name).maxConnections(128)).build();
        HttpClient http = client.apply(HttpClient.create(provider));
        return variant(
                (uris, c) -> Flux.fromIterable(uris)
                        .flatMap(u -> http.get().uri(u).responseSingle((res, body) -> body.asByteArray()), c)
                        .blockLast(),
                provider::dispose);
    }

    private static Variant variant(java.util.function.BiConsumer<List<String>, Integer> run, Runnable close) {
        return new Variant() {
            @Override
            public void run(List<String> uris, int concurrency) {
                run.accept(uris, concurrency);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    private static PooledHttpClient pooled() {
        return PooledHttpClient.builder()
                .maxConnections(128)
                .retry(RetryPolicy.none())
                .build();
    }

    static Map<String, Supplier<Variant>> variants() {
        Map<String, Supplier<Variant>> all = new LinkedHashMap<>();
        all.put("raw", () -> raw("raw", p -> p, c -> c));
        all.put(
                "raw+pool-settings",
                () -> raw(
                        "settings",
                        p -> p.maxIdleTime(Duration.ofSeconds(30))
                                .maxLifeTime(Duration.ofMinutes(10))
                                .evictInBackground(Duration.ofSeconds(30)),
                        c -> c));
        all.put(
                "raw+client-options",
                () -> raw(
                        "options",
                        p -> p,
                        c -> c.disableRetry(true)
                                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                                .headers(h -> h.add("User-Agent", "x"))
                                .protocol(HttpProtocol.HTTP11)
                                .followRedirect(false)));
        all.put("raw+guards", () -> {
            PooledHttpClient client = pooled();
            Variant v = raw(
                    "guards", p -> p, c -> c.doOnRequest((req, conn) -> ResponseGuard.install(conn, client.settings)));
            return variant(v::run, () -> {
                v.close();
                client.dispose();
            });
        });
        all.put("wiring", () -> {
            PooledHttpClient client = pooled();
            ConnectionProvider provider = NettyWiring.provider(client.settings, new ConcurrentHashMap<>());
            HttpClient http = NettyWiring.client(provider, client.settings);
            return variant(
                    (uris, c) -> Flux.fromIterable(uris)
                            .flatMap(u -> http.get().uri(u).responseSingle((res, body) -> body.asByteArray()), c)
                            .blockLast(),
                    () -> {
                        provider.dispose();
                        client.dispose();
                    });
        });
        all.put("raw-ordered", () -> {
            ConnectionProvider provider =
                    ConnectionProvider.builder("ordered").maxConnections(128).build();
            HttpClient http = HttpClient.create(provider);
            return variant(
                    (uris, c) -> Flux.fromIterable(uris)
                            .flatMapSequential(
                                    u -> Outcome.of(
                                            http.get().uri(u).responseSingle((res, body) -> body.asByteArray())),
                                    c,
                                    1)
                            .blockLast(),
                    provider::dispose);
        });
        all.put("result-unordered", () -> {
            PooledHttpClient client = pooled();
            return variant(
                    (uris, c) -> Flux.fromIterable(uris)
                            .flatMap(u -> client.get(u).result(), c)
                            .blockLast(),
                    client::dispose);
        });
        all.put("fetchAll", () -> {
            PooledHttpClient client = pooled();
            return variant(
                    (uris, c) -> client.fetchAll(Flux.fromIterable(uris), c).blockLast(), client::dispose);
        });
        return all;
    }

    /** CPU time of the event-loop threads and the caller, in nanoseconds. */
    private static long loopCpuNanos() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null
                    && (info.getThreadName().startsWith("reactor-http")
                            || info.getThreadName().equals("main"))) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    /**
     * Runs the ablation.
     *
     * @param args the server URL, then optionally the requests per run (20,000), the rounds (7) and the variants
     */
    public static void main(String[] args) {
        String url = args[0];
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        List<String> chosen = args.length > 3 ? Arrays.asList(args[3].split(",")) : null;
        List<String> uris = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            uris.add(url + "?i=" + i);
        }
        Map<String, Variant> running = new LinkedHashMap<>();
        variants().forEach((name, factory) -> {
            if (chosen == null || chosen.contains(name) || name.equals("raw")) {
                running.put(name, factory.get());
            }
        });
        try {
            for (Variant v : running.values()) {
                for (int i = 0; i < 3; i++) {
                    v.run(uris, 64);
                }
            }
            Map<String, double[][]> samples = new LinkedHashMap<>(); // [round][rps, cpu, alloc]
            running.keySet().forEach(name -> samples.put(name, new double[rounds][3]));
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Variant> e : running.entrySet()) {
                    long cpu = loopCpuNanos();
                    long alloc = allocatedBytes();
                    long start = System.nanoTime();
                    e.getValue().run(uris, 64);
                    double[] s = samples.get(e.getKey())[round];
                    s[0] = requests / ((System.nanoTime() - start) / 1e9);
                    s[1] = (loopCpuNanos() - cpu) / 1e3 / requests;
                    s[2] = (allocatedBytes() - alloc) / (double) requests;
                }
            }
            double[][] raw = samples.get("raw");
            System.out.printf(
                    "%-20s %-26s %-30s %s%n", "variant", "throughput vs raw", "loop CPU us/req (vs raw)", "B/req");
            for (Map.Entry<String, double[][]> e : samples.entrySet()) {
                double[][] s = e.getValue();
                double[] thr = new double[rounds];
                double[] cpuRatio = new double[rounds];
                double[] cpu = new double[rounds];
                double[] alloc = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    thr[i] = s[i][0] / raw[i][0];
                    cpuRatio[i] = s[i][1] / raw[i][1];
                    cpu[i] = s[i][1];
                    alloc[i] = s[i][2];
                }
                System.out.printf(
                        "%-20s %.2fx (%.2f-%.2f)%10s %.1f (%.2fx, %.2f-%.2f)%10s %.0f%n",
                        e.getKey(),
                        median(thr),
                        min(thr),
                        max(thr),
                        "",
                        median(cpu),
                        median(cpuRatio),
                        min(cpuRatio),
                        max(cpuRatio),
                        "",
                        median(alloc));
            }
        } finally {
            running.values().forEach(Variant::close);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
