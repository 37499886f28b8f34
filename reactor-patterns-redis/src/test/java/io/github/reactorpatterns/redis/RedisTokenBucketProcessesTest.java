package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.github.reactorpatterns.test.RedisServer;
import org.junit.jupiter.api.Test;

/**
 * Three child JVMs share one {@link RedisTokenBucket} (50/s, burst 5). Grant times are Redis's own ({@code TIME} in
 * the script), so the windows below are measured on the clock that made the decisions.
 */
class RedisTokenBucketProcessesTest {

    static final int LOOPS = 4;

    @Test
    void threeProcessesShareOneRateForTenSeconds() throws Exception {
        try (RedisServer redis = RedisTestSupport.server()) {
            List<RedisTestSupport.Child> children = start(redis, "fleet", 10_000, "closed", "closed", "closed");
            try {
                long go = System.currentTimeMillis() + 300;
                children.forEach(c -> c.send("go " + go));
                List<Long> stamps = new ArrayList<>();
                for (RedisTestSupport.Child c : children) {
                    assertThat(c.waitFor(Duration.ofSeconds(60)))
                            .as("exit of %s", c.lines)
                            .isZero();
                    // every caller that waited was served: each acquire issued completed with a grant
                    assertThat(c.linesStartingWith("completed ")).isEqualTo(c.linesStartingWith("issued "));
                    assertThat(c.linesStartingWith("denied ")).containsExactly("");
                    assertThat(c.linesStartingWith("failures ")).containsExactly("0");
                    List<Long> own = numbers(c, "stamps ");
                    // no process starves: each gets a fair part of the fleet's rate
                    assertThat(own.size()).as("grants of one process").isGreaterThan(505 / 10);
                    stamps.addAll(own);
                }
                Collections.sort(stamps);
                long window = go * 1000 + 10_000_000L;
                long inWindow = stamps.stream()
                        .filter(s -> s >= go * 1000 && s < window)
                        .count();
                // 500 + burst within ±3 %
                assertThat(inWindow).isBetween(490L, 520L);
                assertThat(maxInOneSecond(stamps)).isLessThanOrEqualTo(55);
            } finally {
                children.forEach(RedisTestSupport.Child::close);
            }
        }
    }

    @Test
    void redisRestartMidRunFailsAsConfiguredAndRecovers() throws Exception {
        try (RedisServer redis = RedisTestSupport.server()) {
            List<RedisTestSupport.Child> children = start(redis, "restart", 6_000, "closed", "closed", "open");
            try {
                long go = System.currentTimeMillis() + 300;
                children.forEach(c -> c.send("go " + go));
                await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() >= go + 1500);
                long down = System.currentTimeMillis();
                redis.stop();
                await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() >= down + 1500);
                redis.restart();
                long up = System.currentTimeMillis();

                List<Long> stamps = new ArrayList<>();
                for (RedisTestSupport.Child c : children) {
                    assertThat(c.waitFor(Duration.ofSeconds(60)))
                            .as("exit of %s", c.lines)
                            .isZero();
                    assertThat(Long.parseLong(c.linesStartingWith("failures ").get(0)))
                            .as("decisions reported")
                            .isPositive();
                    List<Long> own = numbers(c, "stamps ");
                    // recovered: granted by Redis again after the restart
                    assertThat(own).as("grants after the restart").anyMatch(s -> s >= up * 1000);
                    stamps.addAll(own);
                }
                // fail closed: refused during the outage, nothing granted
                for (RedisTestSupport.Child closed : children.subList(0, 2)) {
                    assertThat(numbers(closed, "denied ")).anyMatch(t -> t >= down && t <= up + 2000);
                    assertThat(numbers(closed, "open ")).isEmpty();
                }
                // fail open: let through during the outage, never refused
                RedisTestSupport.Child open = children.get(2);
                assertThat(numbers(open, "open ")).isNotEmpty();
                assertThat(numbers(open, "denied ")).isEmpty();
                Collections.sort(stamps);
                assertThat(maxInOneSecond(stamps)).isLessThanOrEqualTo(55);
            } finally {
                children.forEach(RedisTestSupport.Child::close);
            }
        }
    }

    private static List<RedisTestSupport.Child> start(RedisServer redis, String name, long duration, String... modes) {
        List<RedisTestSupport.Child> children = new ArrayList<>();
        for (String mode : modes) {
            children.add(new RedisTestSupport.Child(
                    BucketChild.class, redis.uri(), name, Long.toString(duration), Integer.toString(LOOPS), mode));
        }
        for (RedisTestSupport.Child c : children) {
            await().atMost(Duration.ofSeconds(120)).until(() -> c.printed("ready") || !c.process.isAlive());
            assertThat(c.printed("ready")).as("child started: %s", c.lines).isTrue();
        }
        return children;
    }

    private static List<Long> numbers(RedisTestSupport.Child c, String prefix) {
        String line = c.linesStartingWith(prefix).get(0);
        List<Long> out = new ArrayList<>();
        if (!line.isEmpty()) {
            Arrays.stream(line.split(",")).map(Long::parseLong).forEach(out::add);
        }
        return out;
    }

    /** The most grants (sorted Redis µs) in any window [t, t + 1 s). */
    static int maxInOneSecond(List<Long> sorted) {
        int max = 0;
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to) - sorted.get(from) >= 1_000_000L) {
                from++;
            }
            max = Math.max(max, to - from + 1);
        }
        return max;
    }
}
