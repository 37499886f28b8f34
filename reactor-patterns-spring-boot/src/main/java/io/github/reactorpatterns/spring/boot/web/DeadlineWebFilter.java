package io.github.reactorpatterns.spring.boot.web;

import java.time.Duration;
import java.util.Objects;

import io.github.reactorpatterns.internal.Durations;
import io.github.reactorpatterns.time.Deadline;
import io.github.reactorpatterns.time.DeadlineExceededException;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Reads a request's deadline header (the budget left, in milliseconds) into the Reactor {@code Context} as a
 * {@link Deadline}, capped by a server-side maximum, so that every call the handler makes (a {@code RetryPolicy}, a
 * {@code PooledHttpClient}, a WebClient with {@link ReactorPatternsFilters#deadlinePropagation(String)}) stays inside
 * the caller's budget and passes on what is left.
 *
 * <p>A request without the header gets the default budget, or no deadline when there is none. A header that is not
 * a whole number fails the request with 400 Bad Request; a budget of zero or less fails it with 504 Gateway Timeout
 * without calling the handler. When the deadline passes, the handler is cancelled and, if nothing has been written
 * yet, the response is 504 Gateway Timeout.
 *
 * <p>It runs early ({@link #ORDER}) so that the other filters see the deadline too. Thread-safe.
 */
public final class DeadlineWebFilter implements WebFilter, Ordered {

    /** The filter's order: {@code Ordered.HIGHEST_PRECEDENCE + 100}, before the application's own filters. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    private final String header;
    private final Duration max;
    private final @Nullable Duration defaultBudget;

    /**
     * Creates the filter.
     *
     * @param header the header that carries the budget in milliseconds
     * @param max the largest budget granted, {@code > 0}
     * @param defaultBudget the budget of a request without the header ({@code > 0}, capped by {@code max}), or
     *         {@code null} for no deadline
     * @throws NullPointerException if {@code header} or {@code max} is null
     * @throws IllegalArgumentException if {@code max} or {@code defaultBudget} is zero or negative
     */
    public DeadlineWebFilter(String header, Duration max, @Nullable Duration defaultBudget) {
        this.header = Objects.requireNonNull(header, "header");
        this.max = positive(Objects.requireNonNull(max, "max"), "max");
        this.defaultBudget = defaultBudget == null ? null : min(positive(defaultBudget, "defaultBudget"), max);
    }

    private static Duration positive(Duration d, String name) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " > 0 required but it was " + Durations.format(d));
        }
        return d;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Runs the rest of the chain under the request's deadline.
     *
     * @param exchange the current exchange
     * @param chain the rest of the chain
     * @return completion of the chain, or a 400/504 error as described in the class documentation
     */
    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String value = exchange.getRequest().getHeaders().getFirst(header);
        Duration budget;
        if (value == null) {
            budget = defaultBudget;
        } else {
            long millis;
            try {
                millis = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                return Mono.error(new ResponseStatusException(
                        HttpStatus.BAD_REQUEST,
                        header + " must be a whole number of milliseconds but it was '" + value + "'"));
            }
            if (millis <= 0) {
                return Mono.error(new ResponseStatusException(
                        HttpStatus.GATEWAY_TIMEOUT,
                        "the request's deadline had passed on arrival (" + header + ": " + value + ")"));
            }
            budget = min(Duration.ofMillis(millis), max);
        }
        if (budget == null) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange)
                .transform(Deadline.within(budget))
                .onErrorMap(
                        DeadlineExceededException.class,
                        e -> new ResponseStatusException(
                                HttpStatus.GATEWAY_TIMEOUT,
                                "the request's deadline of " + Durations.format(e.budget()) + " was exceeded",
                                e));
    }

    /**
     * The order of this filter among {@code WebFilter}s.
     *
     * @return {@link #ORDER}
     */
    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public String toString() {
        return "DeadlineWebFilter[header=" + header + ", max=" + Durations.format(max) + ", defaultBudget="
                + (defaultBudget == null ? "none" : Durations.format(defaultBudget)) + "]";
    }
}
