package io.github.reactorpatterns.examples;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryPolicy;
import reactor.core.publisher.Mono;

/** {@code retry_async} with exponential backoff: {@link RetryPolicy}, a {@code reactor.util.retry.Retry}. */
final class RetryRecipes {

    private RetryRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::retryAsync[]
    // retry_async(coro_func, *args, max_retries=3, delay=1.0, backoff=2.0): max_retries counts attempts
    static <T> Mono<T> retryAsync(Mono<T> call, int maxRetries, Duration delay, double backoff) {
        return call.retryWhen(RetryPolicy.backoff(maxRetries - 1, delay)   // retries, not counting the first try
                .multiplier(backoff)
                .jitter(0)                                                 // the seed waits exactly 1 s, 2 s, 4 s...
                .build());
    }

    // result = await retry_async(fetch_url, "https://api.example.com", max_retries=5)
    static Mono<String> usage(Function<String, Mono<String>> fetchUrl) {
        return retryAsync(Mono.defer(() -> fetchUrl.apply("https://api.example.com")),   // lazy: a new call each try
                5, Duration.ofSeconds(1), 2.0);
    }
    // end::retryAsync[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::production[]
    // What a production retry adds: which errors, a cap per wait and in total, and a budget shared by all callers
    static final RetryBudget BUDGET = RetryBudget.ofDefaults();   // at most ~20 % extra load when a service is down

    static final RetryPolicy POLICY = RetryPolicy.backoff(3, Duration.ofMillis(200))
            .maxBackoff(Duration.ofSeconds(2))
            .retryOn(IOException.class, TimeoutException.class)       // never retry a bug or a 4xx
            .maxElapsed(Duration.ofSeconds(10))
            .budget(BUDGET)
            .build();
    // end::production[]
    // spotless:on
}
