package io.github.reactorpatterns.micrometer;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.github.reactorpatterns.retry.RetryAttempt;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Micrometer meters for a {@link RetryPolicy}: every decision the policy reports about a retryable failure, counted
 * by its {@link RetryAttempt.Reason} — the retries it scheduled ({@code backoff}, {@code retry_after}) and the
 * reasons it stopped ({@code retries_exhausted}, {@code retry_after_too_long}, {@code max_elapsed},
 * {@code deadline}, {@code budget_empty}).
 *
 * <pre>{@code
 * RetryPolicyMetrics metrics = RetryPolicyMetrics.of("inventory");
 * RetryPolicy policy = metrics.instrument(RetryPolicy.backoff(3, Duration.ofMillis(100))).build();
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (each tagged {@code name}, plus the extra tags)</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@value #ATTEMPTS}</td><td>counter, tag {@code reason}</td><td>failed attempts the policy decided about,
 *       by the lower-case {@link RetryAttempt.Reason} name; one counter per reason, registered at 0</td></tr>
 * </table>
 *
 * <p>An error the policy does not retry ({@code retryOn}/{@code retryIf} reject it) is not a decision and is not
 * counted. The binder is the policy's callback: {@link #instrument(RetryPolicy.Builder)} installs it, or pass it
 * yourself to {@link RetryPolicy.Builder#onRetry(Consumer)} and {@link RetryPolicy.Builder#onGiveUp(Consumer)},
 * composed with your own callbacks through {@link Consumer#andThen(Consumer)} if you have them. One binder may serve
 * several policies: their counts add up. The counters count from the binder's creation. Thread-safe.
 */
public final class RetryPolicyMetrics implements MeterBinder, Consumer<RetryAttempt> {

    /** Counter of retry decisions, tagged {@value #REASON}. */
    public static final String ATTEMPTS = "reactor.patterns.retry.attempts";
    /** The tag with the lower-case {@link RetryAttempt.Reason}. */
    public static final String REASON = "reason";

    private static final RetryAttempt.Reason[] REASONS = RetryAttempt.Reason.values();

    private final Tags tags;
    private final LongAdder[] counts = new LongAdder[REASONS.length];

    private RetryPolicyMetrics(Tags tags) {
        this.tags = tags;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /**
     * Creates a binder whose meters carry {@code name=<name>}.
     *
     * @param name the value of the {@code name} tag, not blank
     * @return a new binder with every count at 0
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static RetryPolicyMetrics of(String name) {
        return of(name, Tags.empty());
    }

    /**
     * Like {@link #of(String)}, with extra tags on every meter.
     *
     * @param name the value of the {@code name} tag, not blank
     * @param tags extra tags
     * @return a new binder with every count at 0
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static RetryPolicyMetrics of(String name, Iterable<Tag> tags) {
        return new RetryPolicyMetrics(MetricTags.of(name, tags));
    }

    /**
     * Installs this binder as {@code builder}'s {@code onRetry} (retries scheduled) and {@code onGiveUp} (the
     * decision to stop) callbacks, replacing callbacks set earlier (compose them with
     * {@link Consumer#andThen(Consumer)} and pass them yourself to keep both).
     *
     * @param builder the policy builder
     * @return {@code builder}, for chaining
     * @throws NullPointerException if {@code builder} is null
     */
    public RetryPolicy.Builder instrument(RetryPolicy.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        // a retry and a decision to stop come through two callbacks; accept() counts both kinds
        return builder.onRetry(this).onGiveUp(this);
    }

    /**
     * Counts one decision. Called by the policy (see {@link #instrument(RetryPolicy.Builder)}).
     *
     * @param attempt the decision
     * @throws NullPointerException if {@code attempt} is null
     */
    @Override
    public void accept(RetryAttempt attempt) {
        counts[attempt.reason().ordinal()].increment();
    }

    /**
     * The number of decisions counted for {@code reason} since creation.
     *
     * @param reason the reason
     * @return the count
     * @throws NullPointerException if {@code reason} is null
     */
    public long count(RetryAttempt.Reason reason) {
        return counts[Objects.requireNonNull(reason, "reason").ordinal()].sum();
    }

    /**
     * Registers one counter per reason in {@code registry}. May be called for several registries.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        for (RetryAttempt.Reason reason : REASONS) {
            FunctionCounter.builder(ATTEMPTS, counts[reason.ordinal()], LongAdder::sum)
                    .tags(tags)
                    .tag(REASON, tagValue(reason))
                    .description("Failed attempts a retry policy decided about, by reason")
                    .register(registry);
        }
    }

    /**
     * The tag value of a reason: its name in lower case, {@code RETRY_AFTER} gives {@code retry_after}.
     *
     * @param reason the reason
     * @return the value of the {@value #REASON} tag
     */
    public static String tagValue(RetryAttempt.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "RetryPolicyMetrics" + tags;
    }
}
