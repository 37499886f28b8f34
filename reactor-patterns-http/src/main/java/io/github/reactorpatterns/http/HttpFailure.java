package io.github.reactorpatterns.http;

/**
 * A failure of a request sent by {@link PooledHttpClient}: every error the client itself signals implements it, so
 * that one {@code instanceof HttpFailure} check tells which request failed and after how many attempts.
 *
 * <pre>{@code
 * client.get("/users/7").json(User.class)
 *     .onErrorResume(HttpTimeoutException.class, e -> fallback())   // match on the type as usual
 *     .doOnError(e -> {
 *         if (Exceptions.unwrap(e) instanceof HttpFailure f) {
 *             log.warn("{} {} failed after {} attempts", f.method(), f.uri(), f.attempts());
 *         }
 *     });
 * }</pre>
 *
 * <p>The failures, each a subclass of the JDK or library type with the same meaning:
 * <ul>
 *   <li>{@link HttpStatusException}: a status outside 2xx ({@code RuntimeException});</li>
 *   <li>{@link HttpTimeoutException}: one of the client's timeouts ({@code TimeoutException});</li>
 *   <li>{@link HttpTransportException}: a connection that was refused, reset or closed, a TLS or DNS failure: the
 *   Netty or JDK {@code IOException} is its {@linkplain Throwable#getCause() cause} ({@code IOException});</li>
 *   <li>{@link HttpDeadlineExceededException}: the {@link io.github.reactorpatterns.time.Deadline} in the
 *   subscriber's Context passed ({@link io.github.reactorpatterns.time.DeadlineExceededException});</li>
 *   <li>{@link ResponseTooLargeException}, {@link TooManyRedirectsException} ({@code RuntimeException}) and
 *   {@link PoolFullException} ({@code RejectedExecutionException}).</li>
 * </ul>
 *
 * <p>{@link #attempts()} counts the attempts the request made, the failed one included, whether or not the retry
 * policy was involved. When the retry policy gives up after its last retry, the request fails with a
 * {@link io.github.reactorpatterns.retry.RetryExhaustedException} whose cause is the last attempt's
 * {@code HttpFailure}; when the policy stops early (the deadline, its budget, a {@code Retry-After} beyond its
 * maximum) or the error is one the client never retries, the last attempt's {@code HttpFailure} itself is signalled.
 * Either way the count is the whole request's.
 *
 * <p>Not covered: errors of the caller's own code and settings that the client passes on unchanged (a
 * {@link JsonCodec} that cannot write the body or read the response, a line longer than {@code maxLineLength}, a
 * failing shared {@code RateLimiter} or {@code PermitSource}), and the {@code DeadlineExceededException} of an outer
 * {@link io.github.reactorpatterns.time.Deadline#within(java.time.Duration) Deadline.within} operator whose own timer
 * cancels the request before the client notices the deadline: a cancelled request signals nothing.
 *
 * <p>Only the client's exception types implement this interface.
 */
public sealed interface HttpFailure
        permits HttpStatusException,
                HttpTimeoutException,
                HttpTransportException,
                HttpDeadlineExceededException,
                ResponseTooLargeException,
                TooManyRedirectsException,
                PoolFullException {

    /**
     * Returns the method of the request that failed.
     *
     * @return the method, e.g. {@code GET}
     */
    String method();

    /**
     * Returns the URI of the request that failed: the one the failed attempt was sending, which after a followed
     * redirect is the redirect's target.
     *
     * @return the absolute URI
     */
    String uri();

    /**
     * Returns how many attempts the request made, the failed one included: 1 when it was not retried, 0 when it
     * failed before its first attempt (a deadline that had already passed). An attempt counts from the moment the
     * client starts it, waits for the concurrency limit, the rate limit and a pooled connection included. An
     * exception created by its public constructor says 1.
     *
     * @return the number of attempts, at least 0
     */
    int attempts();
}
