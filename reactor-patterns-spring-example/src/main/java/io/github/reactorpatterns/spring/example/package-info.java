/**
 * A FastAPI-shaped Python service rebuilt as a Spring Boot WebFlux application: orders with a background
 * notification, a fan-out to a partner API under a shared bulkhead, rate limit and request deadline, and a job queue,
 * every pattern configured through {@code reactor-patterns.*} properties and drained on shutdown.
 */
@NullMarked
package io.github.reactorpatterns.spring.example;

import org.jspecify.annotations.NullMarked;
