package io.github.reactorpatterns.benchmarks.redis;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The cases of {@link RedisLimitBenchmark}, interleaved for a noisy shared machine: one round runs every case once
 * ({@code RedisLimitBenchmark.OPS} calls each), one after the other, and the ratio of two cases is the median over the
 * rounds of their ratio within a round, so a change of load between rounds cancels out. CPU per call is this JVM's
 * process CPU time (every thread: JIT and GC included) and the Redis server's, summed over the measured blocks of a
 * case and divided by their calls (the operating system counts CPU time in 10 ms ticks, too coarse for one block).
 *
 * <p>Run: {@code java -cp benchmarks.jar io.github.reactorpatterns.benchmarks.redis.RedisLimitHarness [rounds]}.
 */
public final class RedisLimitHarness {

    private RedisLimitHarness() {}

    /**
     * Runs the rounds at 1 and at 64 calls in flight and prints the medians.
     *
     * @param args optionally the number of measured rounds (default 12) and of warm-up rounds (default 4)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        for (int inFlight : new int[] {1, 64}) {
            RedisLimitBenchmark b = new RedisLimitBenchmark();
            b.inFlight = inFlight;
            b.setUp();
            try {
                Map<String, LongSupplier> cases = new LinkedHashMap<>();
                cases.put("rawGet", b::rawGet);
                cases.put("rawEvalshaBucket", b::rawEvalshaBucket);
                cases.put("rawEvalshaBucketOffLoop", b::rawEvalshaBucketOffLoop);
                cases.put("redisTokenBucketTryAcquire", b::redisTokenBucketTryAcquire);
                cases.put("rawEvalshaSemaphore", b::rawEvalshaSemaphore);
                cases.put("redisSemaphoreAcquireRelease", b::redisSemaphoreAcquireRelease);
                cases.put("bucket4jLettuceTryConsume", b::bucket4jLettuceTryConsume);
                Map<String, List<double[]>> samples = new LinkedHashMap<>();
                cases.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
                for (int r = 0; r < warmup + rounds; r++) {
                    for (Map.Entry<String, LongSupplier> c : cases.entrySet()) {
                        double[] s = block(b, c.getValue());
                        if (r >= warmup) {
                            samples.get(c.getKey()).add(s);
                        }
                    }
                }
                report(inFlight, rounds, samples);
            } finally {
                b.tearDown();
            }
        }
    }

    /** One block: {ops/s, JVM ns of CPU, Redis ns of CPU, calls}. */
    private static double[] block(RedisLimitBenchmark b, LongSupplier call) {
        long cpu = jvmCpuNanos();
        long redis = b.redisCpuNanos();
        long start = System.nanoTime();
        long n = call.getAsLong();
        long took = System.nanoTime() - start;
        return new double[] {n * 1e9 / took, jvmCpuNanos() - cpu, b.redisCpuNanos() - redis, n};
    }

    private static void report(int inFlight, int rounds, Map<String, List<double[]>> samples) {
        System.out.printf(
                "%n== %d in flight, %d rounds, load average %s%n",
                inFlight, rounds, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(
                "%-30s %12s %12s %14s %14s%n", "case", "ops/s (med)", "min..max", "jvm us/call", "redis us/call");
        for (Map.Entry<String, List<double[]>> e : samples.entrySet()) {
            List<double[]> s = e.getValue();
            System.out.printf(
                    "%-30s %12.0f %5.0f..%-6.0f %14.1f %14.1f%n",
                    e.getKey(),
                    median(s, 0),
                    min(s, 0),
                    max(s, 0),
                    sum(s, 1) / 1000 / sum(s, 3),
                    sum(s, 2) / 1000 / sum(s, 3));
        }
        ratio(samples, "redisTokenBucketTryAcquire", "rawGet");
        ratio(samples, "rawEvalshaBucket", "rawGet");
        ratio(samples, "redisTokenBucketTryAcquire", "rawEvalshaBucket");
        ratio(samples, "redisTokenBucketTryAcquire", "rawEvalshaBucketOffLoop");
        ratio(samples, "redisSemaphoreAcquireRelease", "rawGet");
        ratio(samples, "rawEvalshaSemaphore", "rawGet");
        ratio(samples, "redisSemaphoreAcquireRelease", "rawEvalshaSemaphore");
        ratio(samples, "redisTokenBucketTryAcquire", "bucket4jLettuceTryConsume");
    }

    private static void ratio(Map<String, List<double[]>> samples, String a, String b) {
        List<double[]> x = samples.get(a);
        List<double[]> y = samples.get(b);
        double[] r = new double[x.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = x.get(i)[0] / y.get(i)[0];
        }
        Arrays.sort(r);
        System.out.printf(
                "ratio %-30s / %-28s median %.2f (range %.2f..%.2f)%n", a, b, r[r.length / 2], r[0], r[r.length - 1]);
    }

    private static double median(List<double[]> s, int i) {
        double[] v = s.stream().mapToDouble(a -> a[i]).sorted().toArray();
        return v[v.length / 2];
    }

    private static double sum(List<double[]> s, int i) {
        return s.stream().mapToDouble(a -> a[i]).sum();
    }

    private static double min(List<double[]> s, int i) {
        return s.stream().mapToDouble(a -> a[i]).min().orElse(0);
    }

    private static double max(List<double[]> s, int i) {
        return s.stream().mapToDouble(a -> a[i]).max().orElse(0);
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
