/**
 * Spring Boot auto-configuration for reactor-patterns: named {@link io.github.reactorpatterns.limit.AsyncSemaphore}s,
 * {@link io.github.reactorpatterns.limit.TokenBucket}s, {@link io.github.reactorpatterns.retry.RetryPolicy}s,
 * {@link io.github.reactorpatterns.http.PooledHttpClient}s and WebClients from {@code reactor-patterns.*}
 * properties, injectable with {@link io.github.reactorpatterns.spring.boot.ReactorPatterns @ReactorPatterns("name")}
 * or {@code @Qualifier("name")}, and a {@link io.github.reactorpatterns.spring.boot.ReactorPatternsShutdown shutdown
 * lifecycle} that drains background work before Reactor Netty's shared resources go away.
 */
@NullMarked
package io.github.reactorpatterns.spring.boot;

import org.jspecify.annotations.NullMarked;
