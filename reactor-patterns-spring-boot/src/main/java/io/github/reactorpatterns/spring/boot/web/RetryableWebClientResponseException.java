package io.github.reactorpatterns.spring.boot.web;

import java.nio.charset.Charset;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

import io.github.reactorpatterns.retry.RetryAfter;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * A {@link WebClientResponseException} for a status that {@link ReactorPatternsFilters#retry} retries, carrying the
 * server's {@code Retry-After} as a {@link RetryAfter} hint so that a
 * {@link io.github.reactorpatterns.retry.RetryPolicy} waits at least as long as the server asked (and gives up when it
 * asks for more than the policy's {@code maxRetryAfter}).
 *
 * <p>It is a {@code WebClientResponseException} with the same status, headers and body, so code that handles
 * WebClient's errors handles it unchanged.
 */
public class RetryableWebClientResponseException extends WebClientResponseException implements RetryAfter {

    private static final long serialVersionUID = 1L;

    /** The delay of the response's {@code Retry-After} header, or null without a valid one. */
    private final @Nullable Duration retryAfter;

    /**
     * Copies {@code cause}'s status, headers, body and request, and reads its {@code Retry-After} header (delay
     * seconds or an HTTP-date, as of now).
     *
     * @param cause the exception WebClient made for the response
     * @throws NullPointerException if {@code cause} is null
     */
    public RetryableWebClientResponseException(WebClientResponseException cause) {
        super(
                Objects.requireNonNull(cause, "cause").getMessage(),
                cause.getStatusCode().value(),
                cause.getStatusText(),
                cause.getHeaders(),
                cause.getResponseBodyAsByteArray(),
                charset(cause),
                cause.getRequest());
        initCause(cause);
        this.retryAfter = parseRetryAfter(cause.getHeaders().getFirst(HttpHeaders.RETRY_AFTER), Instant.now());
    }

    /**
     * The delay the server asked for in its {@code Retry-After} header.
     *
     * @return the delay (never negative), or empty without a valid header
     */
    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    private static @Nullable Charset charset(WebClientResponseException e) {
        var type = e.getHeaders().getContentType();
        return type == null ? null : type.getCharset();
    }

    /** Delay-seconds or an HTTP-date (RFC 9110 section 10.2.3); null when absent or malformed. */
    static @Nullable Duration parseRetryAfter(@Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
