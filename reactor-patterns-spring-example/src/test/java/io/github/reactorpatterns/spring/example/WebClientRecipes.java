package io.github.reactorpatterns.spring.example;

import java.time.Duration;

import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.spring.boot.web.ReactorPatternsFilters;
import io.github.reactorpatterns.time.Deadline;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** The cookbook's Spring WebClient recipes (quoted by docs/COOKBOOK.md, checked by SpringCookbookTest). */
final class WebClientRecipes {

    private WebClientRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::filters[]
    // One bulkhead and one rate limit shared by every caller of the partner API (fields or beans, not per call)
    static final AsyncSemaphore PARTNER_LIMIT = AsyncSemaphore.of(4);
    static final TokenBucket PARTNER_RATE = TokenBucket.builder().rate(50, Duration.ofSeconds(1)).burst(5).build();
    static final RetryPolicy PARTNER_RETRY = RetryPolicy.backoff(2, Duration.ofMillis(50))
            .maxRetryAfter(Duration.ofSeconds(2))     // a longer Retry-After fails at once
            .build();

    static WebClient partner(WebClient.Builder builder, String baseUrl) {
        return builder.clone()
                .baseUrl(baseUrl)
                .filter(ReactorPatternsFilters.deadlinePropagation())          // X-Request-Deadline-Ms: budget left
                .filter(ReactorPatternsFilters.bulkhead(PARTNER_LIMIT))        // held until the body is read
                .filter(ReactorPatternsFilters.retry(PARTNER_RETRY))           // 429/502/503/504, Retry-After
                .filter(ReactorPatternsFilters.rateLimit(PARTNER_RATE))        // a token per attempt, after the permit
                .build();
    }

    static Mono<User> user(WebClient partner, int id) {
        return partner.get().uri("/users/{id}", id)
                .retrieve()
                .bodyToMono(User.class)
                .transform(Deadline.within(Duration.ofSeconds(5)));   // retries and the partner stay inside it
    }
    // end::filters[]
    // spotless:on
}
