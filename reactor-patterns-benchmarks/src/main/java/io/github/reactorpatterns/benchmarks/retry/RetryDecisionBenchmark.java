package io.github.reactorpatterns.benchmarks.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The cost of retry decisions without delay: a {@code Mono} that fails {@code failures} times and then succeeds,
 * retried by {@link RetryPolicy} and by Reactor's {@code Retry.backoff} with a zero backoff (both resubscribe at
 * once, on the calling thread, so only the decision machinery is measured). {@code failures = 0} is the cost a
 * retry operator adds to a call that succeeds. {@code policyWithBudget} adds a shared {@link RetryBudget} large
 * enough never to refuse.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RetryDecisionBenchmark {

    private static final IOException FAILURE = new IOException("down");

    @Param({"0", "1", "3"})
    public int failures;

    private Retry reactorBackoff;
    private RetryPolicy policy;
    private RetryPolicy policyWithBudget;

    @Setup
    public void setup() {
        reactorBackoff = Retry.backoff(5, Duration.ZERO);
        policy = RetryPolicy.backoff(5, Duration.ZERO).build();
        policyWithBudget = RetryPolicy.backoff(5, Duration.ZERO)
                .budget(RetryBudget.of(Duration.ofSeconds(10), 1_000_000, 1.0))
                .build();
    }

    private Mono<Integer> failingThenSucceeding() {
        int[] calls = {0};
        int failuresBeforeSuccess = failures;
        return Mono.defer(() -> calls[0]++ < failuresBeforeSuccess ? Mono.error(FAILURE) : Mono.just(42));
    }

    @Benchmark
    public void reactorRetryBackoff(Blackhole blackhole) {
        failingThenSucceeding().retryWhen(reactorBackoff).subscribe(blackhole::consume);
    }

    @Benchmark
    public void policy(Blackhole blackhole) {
        failingThenSucceeding().retryWhen(policy).subscribe(blackhole::consume);
    }

    @Benchmark
    public void policyWithBudget(Blackhole blackhole) {
        failingThenSucceeding().retryWhen(policyWithBudget).subscribe(blackhole::consume);
    }
}
