/**
 * A pooled HTTP client on reactor-netty that applies the library's patterns to every request.
 *
 * <p>{@link io.github.reactorpatterns.http.PooledHttpClient} wraps a reactor-netty {@code HttpClient} and a named
 * {@code ConnectionProvider}: split timeouts, bounded bodies, status checks, safe redirects, no hidden retries, and
 * terminals that always give the pooled connection back. Non-2xx statuses fail with
 * {@link io.github.reactorpatterns.http.HttpStatusException}, oversized bodies with
 * {@link io.github.reactorpatterns.http.ResponseTooLargeException}, and timeouts with
 * {@link io.github.reactorpatterns.http.HttpTimeoutException}, network errors with
 * {@link io.github.reactorpatterns.http.HttpTransportException}; each is an
 * {@link io.github.reactorpatterns.http.HttpFailure} that counts the request's attempts.
 */
@NullMarked
package io.github.reactorpatterns.http;

import org.jspecify.annotations.NullMarked;
