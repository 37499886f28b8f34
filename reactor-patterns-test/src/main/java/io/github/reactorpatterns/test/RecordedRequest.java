package io.github.reactorpatterns.test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.jspecify.annotations.Nullable;

/**
 * One request as a {@link MockHttpServer} received it: method, target, headers, the whole body, and the protocol.
 *
 * <p>{@link MockHttpServer#takeRequest(java.time.Duration)} hands them out in arrival order; a dispatcher receives
 * each one to choose its response. Instances are immutable and thread-safe.
 */
public final class RecordedRequest {

    private final String method;
    private final String target;
    private final String path;
    private final @Nullable String query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final String protocol;
    private final int sequenceNumber;

    /**
     * Creates a recorded request; the server does this, tests of dispatchers may too.
     *
     * @param method the HTTP method, such as {@code GET}
     * @param target the request target as sent: the path and, after {@code ?}, the raw query
     * @param headers header names (any case) with their values in order
     * @param body the body bytes, empty when there was none
     * @param protocol the protocol, such as {@code HTTP/1.1} or {@code HTTP/2.0}
     * @param sequenceNumber the 0-based index of this request among those the server received
     * @throws NullPointerException if an argument is null
     */
    public RecordedRequest(
            String method,
            String target,
            Map<String, List<String>> headers,
            byte[] body,
            String protocol,
            int sequenceNumber) {
        this.method = Objects.requireNonNull(method, "method");
        this.target = Objects.requireNonNull(target, "target");
        Objects.requireNonNull(headers, "headers");
        this.body = Objects.requireNonNull(body, "body").clone();
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.sequenceNumber = sequenceNumber;
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        this.query = q < 0 ? null : target.substring(q + 1);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        copy.replaceAll((name, values) -> List.copyOf(values));
        this.headers = Collections.unmodifiableMap(copy);
    }

    /**
     * The HTTP method.
     *
     * @return the method, such as {@code GET}
     */
    public String method() {
        return method;
    }

    /**
     * The request target as sent, path and query.
     *
     * @return the target, such as {@code /items?cursor=4}
     */
    public String target() {
        return target;
    }

    /**
     * The path part of the target, without the query.
     *
     * @return the path, such as {@code /items}
     */
    public String path() {
        return path;
    }

    /**
     * The raw (not decoded) query string, without the {@code ?}.
     *
     * @return the query, or null when the target has no {@code ?}
     */
    public @Nullable String query() {
        return query;
    }

    /**
     * The first value of a decoded query parameter.
     *
     * @param name the parameter name
     * @return the decoded value, or null when the parameter is absent
     * @throws NullPointerException if {@code name} is null
     */
    public @Nullable String queryParameter(String name) {
        Objects.requireNonNull(name, "name");
        if (query == null) {
            return null;
        }
        List<String> values = new QueryStringDecoder(query, false).parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * All headers, names lower-cased, each with its values in order of arrival.
     *
     * @return an unmodifiable map
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * The first value of a header.
     *
     * @param name the header name, in any case
     * @return the value, or null when the header is absent
     * @throws NullPointerException if {@code name} is null
     */
    public @Nullable String header(String name) {
        Objects.requireNonNull(name, "name");
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The body bytes.
     *
     * @return a copy of the body, empty when there was none
     */
    public byte[] body() {
        return body.clone();
    }

    /**
     * The body decoded as UTF-8.
     *
     * @return the body text, empty when there was none
     */
    public String bodyUtf8() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The protocol the request came over.
     *
     * @return {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2.0}
     */
    public String protocol() {
        return protocol;
    }

    /**
     * The 0-based index of this request among all requests the server received.
     *
     * @return the sequence number
     */
    public int sequenceNumber() {
        return sequenceNumber;
    }

    @Override
    public String toString() {
        return method + " " + target + " " + protocol + " (" + body.length + " body bytes)";
    }
}
