package io.github.reactorpatterns.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One scripted answer of a {@link MockHttpServer}: a status, headers, a body and how to deliver it, or a fault.
 *
 * <p>Build one with {@link #builder()}; the builder is reusable and {@link Builder#build()} copies, so a response can
 * be enqueued many times. Delivery options, in the order the server applies them:
 * <ol>
 *   <li>{@link Builder#headersDelay(Duration)}: wait before anything is written (or before the fault happens);</li>
 *   <li>the fault, if any ({@link Builder#disconnectBeforeResponse()}, {@link Builder#resetConnection()},
 *       {@link Builder#noResponse()}, {@link Builder#malformed()}, {@link Builder#disconnectDuringBody(int)});</li>
 *   <li>status line and headers, then {@link Builder#bodyDelay(Duration)};</li>
 *   <li>the body: all at once, {@link Builder#throttle(int, Duration) throttled}, or as
 *       {@link Builder#chunkedLines(List, Duration) streamed lines}.</li>
 * </ol>
 * A body of known size is sent with a {@code Content-Length} header (unless one was set); streamed lines are sent
 * without one (chunked transfer encoding on HTTP/1.1, DATA frames on HTTP/2).
 *
 * <p>Delays are real time, measured on the connection's Netty event loop, so they are not affected by
 * {@code StepVerifier.withVirtualTime} in the test that uses the server.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class MockResponse {

    /** The status a response has when {@link Builder#status(int)} is not called: {@value}. */
    public static final int DEFAULT_STATUS = 200;

    /** What goes wrong, on purpose, when the server answers with this response. */
    public enum Fault {
        /** No fault: the response is delivered as scripted. */
        NONE,
        /** The server closes the connection after reading the request, without writing a byte. */
        DISCONNECT_BEFORE_RESPONSE,
        /** The server sends the headers (with the full {@code Content-Length}) and part of the body, then closes. */
        DISCONNECT_DURING_BODY,
        /** The server aborts the TCP connection with an RST (SO_LINGER 0, then close). */
        RESET_CONNECTION,
        /** The server reads the request and never answers; the connection stays open until the client gives up. */
        NO_RESPONSE,
        /** The server writes bytes that are not an HTTP response. */
        MALFORMED
    }

    final int status;
    final Map<String, List<String>> headers;
    final byte[] body;
    final Duration headersDelay;
    final Duration bodyDelay;
    final int throttleBytes;
    final Duration throttlePeriod;
    final List<String> lines;
    final Duration lineDelay;
    final boolean streamLines;
    final Fault fault;
    final int faultAfterBytes;

    private MockResponse(Builder b) {
        this.status = b.status;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        b.headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = b.body.clone();
        this.headersDelay = b.headersDelay;
        this.bodyDelay = b.bodyDelay;
        this.throttleBytes = b.throttleBytes;
        this.throttlePeriod = b.throttlePeriod;
        this.lines = List.copyOf(b.lines);
        this.lineDelay = b.lineDelay;
        this.streamLines = b.streamLines;
        this.fault = b.fault;
        this.faultAfterBytes = b.faultAfterBytes;
    }

    /**
     * Starts a response: status {@value #DEFAULT_STATUS}, no headers, empty body, no delays, no fault.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A response with the given status and a UTF-8 text body.
     *
     * @param status the HTTP status code
     * @param body the body text, sent as UTF-8
     * @return the response
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalArgumentException if {@code status} is not between 100 and 999
     */
    public static MockResponse of(int status, String body) {
        return builder().status(status).body(body).build();
    }

    /**
     * A builder that starts as a copy of this response.
     *
     * @return a new builder holding this response's settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.status = status;
        headers.forEach((name, values) -> b.headers.put(name, new ArrayList<>(values)));
        b.body = body.clone();
        b.headersDelay = headersDelay;
        b.bodyDelay = bodyDelay;
        b.throttleBytes = throttleBytes;
        b.throttlePeriod = throttlePeriod;
        b.lines = new ArrayList<>(lines);
        b.lineDelay = lineDelay;
        b.streamLines = streamLines;
        b.fault = fault;
        b.faultAfterBytes = faultAfterBytes;
        return b;
    }

    /**
     * The HTTP status code.
     *
     * @return the status
     */
    public int status() {
        return status;
    }

    /**
     * The headers to send, by lower-cased name, each with its values in order.
     *
     * @return an unmodifiable map
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * The body bytes (for a {@link Builder#chunkedLines(List, Duration) line stream}, every line followed by
     * {@code \n}).
     *
     * @return a copy of the body
     */
    public byte[] body() {
        if (streamLines) {
            return String.join("", lines.stream().map(l -> l + "\n").toList()).getBytes(StandardCharsets.UTF_8);
        }
        return body.clone();
    }

    /**
     * The delay before the status line and headers are written.
     *
     * @return the delay, {@link Duration#ZERO} by default
     */
    public Duration headersDelay() {
        return headersDelay;
    }

    /**
     * The delay between the headers and the first body byte.
     *
     * @return the delay, {@link Duration#ZERO} by default
     */
    public Duration bodyDelay() {
        return bodyDelay;
    }

    /**
     * The fault this response injects.
     *
     * @return the fault, {@link Fault#NONE} by default
     */
    public Fault fault() {
        return fault;
    }

    @Override
    public String toString() {
        return "MockResponse{status=" + status + ", headers=" + headers + ", bodyBytes=" + body().length
                + (fault == Fault.NONE ? "" : ", fault=" + fault) + '}';
    }

    /**
     * Builds a {@link MockResponse}. Reusable: {@link #build()} copies, later changes do not affect built responses.
     * Not thread-safe.
     */
    public static final class Builder {

        private int status = DEFAULT_STATUS;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private byte[] body = new byte[0];
        private Duration headersDelay = Duration.ZERO;
        private Duration bodyDelay = Duration.ZERO;
        private int throttleBytes;
        private Duration throttlePeriod = Duration.ZERO;
        private List<String> lines = new ArrayList<>();
        private Duration lineDelay = Duration.ZERO;
        private boolean streamLines;
        private Fault fault = Fault.NONE;
        private int faultAfterBytes;

        private Builder() {}

        /**
         * Sets the status code.
         *
         * @param status the HTTP status code
         * @return this builder
         * @throws IllegalArgumentException if {@code status} is not between 100 and 999
         */
        public Builder status(int status) {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("status between 100 and 999 required but it was " + status);
            }
            this.status = status;
            return this;
        }

        /**
         * Adds a header value; calling it again with the same name (in any case) adds another value.
         *
         * @param name the header name
         * @param value the header value
         * @return this builder
         * @throws NullPointerException if {@code name} or {@code value} is null
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(value);
            return this;
        }

        /**
         * Replaces every value of a header with one value.
         *
         * @param name the header name
         * @param value the header value
         * @return this builder
         * @throws NullPointerException if {@code name} or {@code value} is null
         */
        public Builder setHeader(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            List<String> values = new ArrayList<>();
            values.add(value);
            headers.put(name.toLowerCase(Locale.ROOT), values);
            return this;
        }

        /**
         * Sets a UTF-8 text body. Adds no {@code Content-Type}; use {@link #header(String, String)} for one.
         *
         * @param text the body
         * @return this builder
         * @throws NullPointerException if {@code text} is null
         */
        public Builder body(String text) {
            Objects.requireNonNull(text, "text");
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Sets the body bytes.
         *
         * @param bytes the body, copied
         * @return this builder
         * @throws NullPointerException if {@code bytes} is null
         */
        public Builder body(byte[] bytes) {
            Objects.requireNonNull(bytes, "bytes");
            this.body = bytes.clone();
            this.streamLines = false;
            return this;
        }

        /**
         * Sets a JSON body (sent as UTF-8, not parsed) and {@code Content-Type: application/json}.
         *
         * @param json the JSON text
         * @return this builder
         * @throws NullPointerException if {@code json} is null
         */
        public Builder jsonBody(String json) {
            Objects.requireNonNull(json, "json");
            setHeader("Content-Type", "application/json");
            return body(json);
        }

        /**
         * Waits before writing the status line and headers (or before injecting the fault): a slow server.
         *
         * @param delay how long to wait; zero for no wait
         * @return this builder
         * @throws NullPointerException if {@code delay} is null
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder headersDelay(Duration delay) {
            this.headersDelay = nonNegative(delay, "headersDelay");
            return this;
        }

        /**
         * Waits between the headers and the body: the headers arrive, then the body stalls.
         *
         * @param delay how long to wait; zero for no wait
         * @return this builder
         * @throws NullPointerException if {@code delay} is null
         * @throws IllegalArgumentException if {@code delay} is negative
         */
        public Builder bodyDelay(Duration delay) {
            this.bodyDelay = nonNegative(delay, "bodyDelay");
            return this;
        }

        /**
         * Sends the body slowly: {@code bytes} at a time, the first at once and each next one {@code period} later.
         *
         * @param bytes how many bytes to send per period
         * @param period the pause between two pieces
         * @return this builder
         * @throws NullPointerException if {@code period} is null
         * @throws IllegalArgumentException if {@code bytes} is not positive or {@code period} is negative
         */
        public Builder throttle(int bytes, Duration period) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("bytes > 0 required but it was " + bytes);
            }
            this.throttlePeriod = nonNegative(period, "period");
            this.throttleBytes = bytes;
            return this;
        }

        /**
         * Streams the body as lines, each followed by {@code \n} and flushed on its own, the first at once and each
         * next one {@code between} later; sent without {@code Content-Length}. Replaces any body set before.
         *
         * @param lines the lines, without line terminators
         * @param between the pause between two lines
         * @return this builder
         * @throws NullPointerException if {@code lines}, an element of it, or {@code between} is null
         * @throws IllegalArgumentException if {@code between} is negative
         */
        public Builder chunkedLines(List<String> lines, Duration between) {
            Objects.requireNonNull(lines, "lines");
            for (String line : lines) {
                Objects.requireNonNull(line, "lines contains null");
            }
            this.lineDelay = nonNegative(between, "between");
            this.lines = new ArrayList<>(lines);
            this.streamLines = true;
            this.body = new byte[0];
            return this;
        }

        /**
         * Fault: close the connection after reading the request, without answering. A reactor-netty client sees
         * {@code PrematureCloseException}; the JDK client an {@code IOException}.
         *
         * @return this builder
         */
        public Builder disconnectBeforeResponse() {
            return fault(Fault.DISCONNECT_BEFORE_RESPONSE, 0);
        }

        /**
         * Fault: send the headers, with the {@code Content-Length} of the whole body, and the first
         * {@code afterBytes} bytes of the body, then close the connection.
         *
         * @param afterBytes how many body bytes to send before closing
         * @return this builder
         * @throws IllegalArgumentException if {@code afterBytes} is negative
         */
        public Builder disconnectDuringBody(int afterBytes) {
            if (afterBytes < 0) {
                throw new IllegalArgumentException("afterBytes >= 0 required but it was " + afterBytes);
            }
            return fault(Fault.DISCONNECT_DURING_BODY, afterBytes);
        }

        /**
         * Fault: abort the TCP connection with an RST (SO_LINGER 0 then close) after reading the request: the client
         * sees "connection reset".
         *
         * @return this builder
         */
        public Builder resetConnection() {
            return fault(Fault.RESET_CONNECTION, 0);
        }

        /**
         * Fault: read the request and never answer, so the client's timeout is what ends the exchange. The
         * connection closes when the client closes it or the server is closed.
         *
         * @return this builder
         */
        public Builder noResponse() {
            return fault(Fault.NO_RESPONSE, 0);
        }

        /**
         * Fault: answer with bytes that are not HTTP, so the client's response decoder fails.
         *
         * @return this builder
         */
        public Builder malformed() {
            return fault(Fault.MALFORMED, 0);
        }

        /**
         * Builds an immutable response from the current settings.
         *
         * @return the response
         */
        public MockResponse build() {
            return new MockResponse(this);
        }

        private Builder fault(Fault fault, int afterBytes) {
            this.fault = fault;
            this.faultAfterBytes = afterBytes;
            return this;
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " >= 0 required but it was " + d);
            }
            return d;
        }
    }
}
