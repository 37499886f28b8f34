/**
 * Spring WebFlux integration: {@code ExchangeFilterFunction}s that put a WebClient under a bulkhead, a rate limit, a
 * {@link io.github.reactorpatterns.retry.RetryPolicy} that honours {@code Retry-After}, and a propagated deadline;
 * a {@code WebClientCustomizer} that applies them; and a {@code WebFilter} that reads an incoming deadline header into
 * the Reactor {@code Context}.
 */
@NullMarked
package io.github.reactorpatterns.spring.boot.web;

import org.jspecify.annotations.NullMarked;
