package io.github.reactorpatterns.benchmarks.http;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.retry.RetryPolicy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The fan-out harness: {@code requests} GETs of a small JSON body from {@link HttpFanoutServer} (another process),
 * at most {@code concurrency} in flight over pooled keep-alive connections, by three clients side by side in one
 * JVM:
 * <ul>
 *   <li>{@code pooled}: {@link PooledHttpClient#fetchAll} (status check, byte[] body, timing, settle-all, ordered),
 *       with connections kept idle between rounds as raw keeps them (a 5 min {@code maxIdleTime} instead of the
 *       default 4 s);</li>
 *   <li>{@code raw}: reactor-netty's {@code HttpClient} with {@code flatMap(..., concurrency)} and
 *       {@code responseSingle(asByteArray)}, the baseline our client wraps;</li>
 *   <li>{@code raw-eq}: raw reactor-netty plus what {@code pooled} pays for inside reactor-netty and Reactor (a
 *       per-request response timeout, ordered settle-all): the gap to {@code pooled} is our own code;</li>
 *   <li>{@code jdk}: {@code java.net.http.HttpClient.sendAsync} with at most {@code concurrency} in flight.</li>
 * </ul>
 * Warmed mode runs every client once to warm up, then {@code rounds} rounds in which each client runs once, in
 * turn, and prints the median requests per second, the median client CPU time per 1,000 requests, and the median
 * ratio of adjacent runs (runs next to each other share the machine's load). Cold mode ({@code --cold NAME}) runs
 * one client once in a fresh JVM; the script times the whole JVM. The system property {@code clients} (e.g.
 * {@code -Dclients=pooled,raw-eq}) limits warmed mode to those clients, raw always included.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.github.reactorpatterns.benchmarks.http.HttpFanout URL [requests]
 * [concurrency] [rounds]} or {@code ... HttpFanout --cold NAME URL [requests] [concurrency]}.
 */
public final class HttpFanout {

    private HttpFanout() {}

    /** One client under test: runs the whole fan-out and returns how many requests succeeded. */
    interface Contender extends AutoCloseable {
        long run(List<String> uris, int concurrency);

        @Override
        void close();
    }

    static Contender pooled() {
        PooledHttpClient client = PooledHttpClient.builder()
                .maxConnections(128)
                .retry(RetryPolicy.none())
                // Each client idles while the others run (the JDK client alone takes about 9 s); the default 4 s
                // idle eviction would close pooled's connections between rounds, so that every round began by
                // reconnecting 64 of them, which raw (no idle limit by default) never does. Both keep theirs.
                .maxIdleTime(Duration.ofMinutes(5))
                .build();
        return new Contender() {
            @Override
            public long run(List<String> uris, int concurrency) {
                Long ok = client.fetchAll(Flux.fromIterable(uris), concurrency)
                        .filter(o -> o.isSuccess())
                        .count()
                        .block();
                return ok == null ? 0 : ok;
            }

            @Override
            public void close() {
                client.dispose();
            }
        };
    }

    static Contender raw() {
        ConnectionProvider provider =
                ConnectionProvider.builder("raw").maxConnections(128).build();
        HttpClient client = HttpClient.create(provider);
        return new Contender() {
            @Override
            public long run(List<String> uris, int concurrency) {
                Long ok = Flux.fromIterable(uris)
                        .flatMap(
                                u -> client.get().uri(u).responseSingle((res, body) -> body.asByteArray()), concurrency)
                        .count()
                        .block();
                return ok == null ? 0 : ok;
            }

            @Override
            public void close() {
                provider.dispose();
            }
        };
    }

    /**
     * Raw reactor-netty with what {@code fetchAll} adds in reactor-netty itself and in Reactor, but none of our code:
     * a per-request {@code responseTimeout} (one {@code ReadTimeoutHandler} added and removed per request) and
     * ordered settle-all ({@code flatMapSequential} into {@code Outcome}). The gap between this and {@code pooled}
     * is the cost of our own code.
     */
    static Contender rawEquivalent() {
        ConnectionProvider provider =
                ConnectionProvider.builder("raw-equivalent").maxConnections(128).build();
        HttpClient client = HttpClient.create(provider).responseTimeout(Duration.ofSeconds(30));
        return new Contender() {
            @Override
            public long run(List<String> uris, int concurrency) {
                Long ok = Flux.fromIterable(uris)
                        .flatMapSequential(
                                u -> Outcome.of(client.get().uri(u).responseSingle((res, body) -> body.asByteArray())),
                                concurrency,
                                concurrency)
                        .filter(o -> o.isSuccess())
                        .count()
                        .block();
                return ok == null ? 0 : ok;
            }

            @Override
            public void close() {
                provider.dispose();
            }
        };
    }

    static Contender jdk() {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        return new Contender() {
            @Override
            public long run(List<String> uris, int concurrency) {
                Long ok = Flux.fromIterable(uris)
                        .flatMap(
                                u -> Mono.fromFuture(() -> client.sendAsync(
                                        HttpRequest.newBuilder(URI.create(u))
                                                .GET()
                                                .build(),
                                        HttpResponse.BodyHandlers.ofByteArray())),
                                concurrency)
                        .filter(r -> r.statusCode() == 200)
                        .count()
                        .block();
                return ok == null ? 0 : ok;
            }

            @Override
            public void close() {
                // java.net.http.HttpClient has no close() before JDK 21; its threads are daemons.
            }
        };
    }

    static Map<String, Supplier<Contender>> contenders() {
        Map<String, Supplier<Contender>> all = new LinkedHashMap<>();
        all.put("pooled", HttpFanout::pooled);
        all.put("raw", HttpFanout::raw);
        all.put("raw-eq", HttpFanout::rawEquivalent);
        all.put("jdk", HttpFanout::jdk);
        return all;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--cold")) {
            String name = args[1];
            String url = args[2];
            int requests = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
            int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 64;
            try (Contender c = contenders().get(name).get()) {
                long start = System.nanoTime();
                long ok = c.run(uris(url, requests), concurrency);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        "cold %s: %d ok in %.2f s (%.0f req/s, first run of a fresh JVM)%n",
                        name, ok, seconds, requests / seconds);
            }
            return;
        }
        String url = args[0];
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        List<String> uris = uris(url, requests);
        Map<String, Contender> running = new LinkedHashMap<>();
        // -Dclients=pooled,raw,raw-eq runs only those (raw is always kept: it is the baseline of every ratio).
        String only = System.getProperty("clients");
        List<String> chosen = only == null ? null : Arrays.asList(only.split(","));
        contenders().forEach((name, factory) -> {
            if (chosen == null || chosen.contains(name) || name.equals("raw")) {
                running.put(name, factory.get());
            }
        });
        try {
            for (Map.Entry<String, Contender> e : running.entrySet()) { // JIT warm-up, two runs each
                e.getValue().run(uris, concurrency);
                e.getValue().run(uris, concurrency);
            }
            Map<String, double[]> rps = new LinkedHashMap<>();
            Map<String, double[]> cpu = new LinkedHashMap<>();
            running.keySet().forEach(n -> {
                rps.put(n, new double[rounds]);
                cpu.put(n, new double[rounds]);
            });
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Contender> e : running.entrySet()) {
                    long cpuStart = cpuNanos();
                    long start = System.nanoTime();
                    long ok = e.getValue().run(uris, concurrency);
                    long wall = System.nanoTime() - start;
                    long cpuUsed = cpuNanos() - cpuStart;
                    if (ok != requests) {
                        throw new IllegalStateException(e.getKey() + ": only " + ok + " of " + requests + " ok");
                    }
                    rps.get(e.getKey())[round] = requests / (wall / 1e9);
                    cpu.get(e.getKey())[round] = cpuUsed / 1e6 / (requests / 1000.0);
                }
            }
            System.out.printf("%d GETs, %d in flight, %d rounds (medians)%n", requests, concurrency, rounds);
            System.out.printf("%-8s %12s %22s %18s%n", "client", "req/s", "client CPU ms/1k req", "req/s vs raw");
            double[] raw = rps.get("raw");
            for (String name : running.keySet()) {
                double[] ratios = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    ratios[i] = rps.get(name)[i] / raw[i];
                }
                System.out.printf(
                        "%-8s %12.0f %22.1f %12.2fx (min %.2f, max %.2f)%n",
                        name,
                        median(rps.get(name)),
                        median(cpu.get(name)),
                        median(ratios),
                        Arrays.stream(ratios).min().orElse(0),
                        Arrays.stream(ratios).max().orElse(0));
            }
        } finally {
            running.values().forEach(Contender::close);
        }
    }

    static List<String> uris(String url, int requests) {
        List<String> uris = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            uris.add(url + "?i=" + i);
        }
        return uris;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
