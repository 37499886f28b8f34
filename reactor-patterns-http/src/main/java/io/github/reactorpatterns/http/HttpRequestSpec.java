package io.github.reactorpatterns.http;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One HTTP request, described but not sent: method, URI, headers, query parameters and body, then one terminal that
 * sends it and reads the response.
 *
 * <p>Immutable and thread-safe: {@link #header(String, String)}, {@link #query(String, Object)} and the
 * {@code body} methods return a new spec. Nothing is sent before a terminal's publisher is subscribed, and each
 * subscription sends the request afresh (with retries, if the client has a retry policy). The body is encoded lazily,
 * once per subscription.
 *
 * <p>Every terminal gives the pooled connection back when it completes, fails or is cancelled: a fully read body
 * returns the connection to the pool; a body abandoned halfway (cancel, error, size limit) closes it.
 *
 * <p>Aggregating terminals ({@link #result()}, {@link #bytes()}, {@link #text()}, {@link #json(Class)}) read at most
 * the client's {@code maxResponseBytes}. All terminals except {@link #result()} fail with
 * {@link HttpStatusException} when the status is not 2xx.
 */
public final class HttpRequestSpec {

    private final PooledHttpClient client;
    private final HttpMethod method;
    private final String uri;
    private final List<NameValue> headers;
    private final List<NameValue> query;
    private final @Nullable Body body;
    /** Sent to another origin than the caller's: the client's default credential headers are removed too. */
    private final boolean crossOrigin;

    HttpRequestSpec(PooledHttpClient client, HttpMethod method, String uri) {
        this(client, method, uri, List.of(), List.of(), null);
    }

    private HttpRequestSpec(
            PooledHttpClient client,
            HttpMethod method,
            String uri,
            List<NameValue> headers,
            List<NameValue> query,
            @Nullable Body body) {
        this(client, method, uri, headers, query, body, false);
    }

    private HttpRequestSpec(
            PooledHttpClient client,
            HttpMethod method,
            String uri,
            List<NameValue> headers,
            List<NameValue> query,
            @Nullable Body body,
            boolean crossOrigin) {
        this.client = client;
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.query = query;
        this.body = body;
        this.crossOrigin = crossOrigin;
    }

    /**
     * Returns a spec that also sends this header (added to the client's default headers; a header of the same name
     * from the defaults is replaced).
     *
     * @param name the header name, an RFC 9110 token
     * @param value the header value
     * @return a new spec
     * @throws NullPointerException if {@code name} or {@code value} is null
     * @throws IllegalArgumentException if {@code name} is not a token, or {@code value} contains CR, LF or NUL
     */
    public HttpRequestSpec header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        HeaderChecks.name(name);
        HeaderChecks.value(name, value);
        return new HttpRequestSpec(client, method, uri, append(headers, name, value), query, body);
    }

    /**
     * Returns a spec with this query parameter appended to the URI, percent-encoded as UTF-8.
     *
     * @param name the parameter name
     * @param value the parameter value; its {@code toString()} is sent
     * @return a new spec
     * @throws NullPointerException if {@code name} or {@code value} is null
     */
    public HttpRequestSpec query(String name, Object value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return new HttpRequestSpec(client, method, uri, headers, append(query, name, value.toString()), body);
    }

    /**
     * Returns a spec with this text as the body, sent as UTF-8 with {@code Content-Type: text/plain; charset=utf-8}
     * unless a {@code Content-Type} header is set.
     *
     * @param text the body
     * @return a new spec
     * @throws NullPointerException if {@code text} is null
     */
    public HttpRequestSpec body(String text) {
        Objects.requireNonNull(text, "text");
        return new HttpRequestSpec(client, method, uri, headers, query, new Body.Text(text));
    }

    /**
     * Returns a spec with these bytes as the body, sent with {@code Content-Type: application/octet-stream} unless a
     * {@code Content-Type} header is set. The array is copied.
     *
     * @param bytes the body
     * @return a new spec
     * @throws NullPointerException if {@code bytes} is null
     */
    public HttpRequestSpec body(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new HttpRequestSpec(client, method, uri, headers, query, new Body.Bytes(bytes.clone()));
    }

    /**
     * Returns a spec with this object, written as JSON by the client's {@link JsonCodec}, as the body, sent with
     * {@code Content-Type: application/json} unless a {@code Content-Type} header is set. The object is serialized
     * at each subscription; a serialization error fails that subscription before anything is sent.
     *
     * @param value the object to write
     * @return a new spec
     * @throws NullPointerException if {@code value} is null
     */
    public HttpRequestSpec jsonBody(Object value) {
        Objects.requireNonNull(value, "value");
        return new HttpRequestSpec(client, method, uri, headers, query, new Body.Json(value));
    }

    /**
     * Returns the method.
     *
     * @return the method, e.g. {@code GET}
     */
    public String method() {
        return method.name();
    }

    /**
     * Returns the URI the request is sent to, base URL and query parameters applied.
     *
     * @return the absolute URI
     */
    public String uri() {
        if (query.isEmpty()) {
            return uri;
        }
        StringBuilder sb = new StringBuilder(uri);
        char sep = uri.indexOf('?') >= 0 ? '&' : '?';
        for (NameValue kv : query) {
            sb.append(sep).append(encode(kv.name())).append('=').append(encode(kv.value()));
            sep = '&';
        }
        return sb.toString();
    }

    /**
     * Sends the request and emits the complete response whatever its status: a non-2xx status is not an error
     * here. Transport errors ({@link HttpTimeoutException}, {@link HttpTransportException}) and
     * {@link ResponseTooLargeException} still fail the {@code Mono}; every such failure is an {@link HttpFailure}.
     *
     * @return a {@code Mono} of the response
     */
    public Mono<HttpResult> result() {
        return client.exchange.aggregate(this, false);
    }

    /**
     * Sends the request and emits the body bytes of a 2xx response (an empty array when there is none).
     *
     * @return a {@code Mono} of the body; fails with {@link HttpStatusException} on a non-2xx status
     */
    public Mono<byte[]> bytes() {
        return checked().map(HttpResult::bodyUnsafe);
    }

    /**
     * Sends the request and emits the body of a 2xx response as text, decoded with the charset of
     * {@code Content-Type} (UTF-8 when none).
     *
     * @return a {@code Mono} of the text; fails with {@link HttpStatusException} on a non-2xx status
     */
    public Mono<String> text() {
        return checked().map(HttpResult::bodyAsString);
    }

    /**
     * Sends the request and reads the body of a 2xx response as JSON into {@code type}, with the client's
     * {@link JsonCodec}. An empty body, or the JSON literal {@code null}, completes the {@code Mono} empty.
     *
     * <p>The codec's reader for {@code type} is resolved now, on the calling thread, not when the response arrives
     * on an event loop (a JSON library's first lookup of a type takes locks).
     *
     * @param type the target class
     * @param <T> the target type
     * @return a {@code Mono} of the value; fails with {@link HttpStatusException} on a non-2xx status and with the
     *         JSON library's exception when the body is not valid JSON for {@code type}
     * @throws NullPointerException if {@code type} is null
     */
    public <T> Mono<T> json(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return json(client.codec.<T>reader(type));
    }

    /**
     * Sends the request and reads the body of a 2xx response as JSON into a generic type, e.g.
     * {@code new GenericType<List<User>>() {}}. Otherwise as {@link #json(Class)}.
     *
     * @param type the target type
     * @param <T> the target type
     * @return a {@code Mono} of the value; fails with {@link HttpStatusException} on a non-2xx status
     * @throws NullPointerException if {@code type} is null
     */
    public <T> Mono<T> json(GenericType<T> type) {
        Objects.requireNonNull(type, "type");
        return json(client.codec.<T>reader(type.type()));
    }

    private <T> Mono<T> json(JsonCodec.Reader<T> reader) {
        return checked().handle((r, sink) -> {
            if (r.bodyLength() == 0) {
                sink.complete();
                return;
            }
            T value;
            try {
                value = reader.read(r.bodyUnsafe());
            } catch (Exception e) {
                sink.error(e);
                return;
            }
            if (value != null) {
                sink.next(value);
            }
        });
    }

    /**
     * Sends the request and streams the body of a 2xx response as lines, split on {@code \n} or {@code \r\n}
     * (terminators removed, empty lines kept), decoded with the charset of {@code Content-Type} (UTF-8 when none);
     * httpx's {@code aiter_lines()}. The last line need not end with a terminator. Lines are emitted as they
     * arrive, and the body is read only as fast as they are requested (built on
     * {@link io.github.reactorpatterns.stream.ByteStreams#lines}).
     *
     * <p>A line longer than the client's {@code maxLineLength} fails the stream with
     * {@link io.github.reactorpatterns.stream.LineTooLongException}. Cancelling the stream halfway closes the
     * connection.
     *
     * @return the lines; fails with {@link HttpStatusException} on a non-2xx status
     */
    public Flux<String> lines() {
        return client.exchange.lines(this);
    }

    /**
     * Streams newline-delimited JSON: each non-blank line of a 2xx body read into {@code type}.
     *
     * @param type the class of each line
     * @param <T> the element type
     * @return the values; fails with {@link HttpStatusException} on a non-2xx status, with
     *         {@code LineTooLongException} on an over-long line, and with Jackson's exception on a bad line
     * @throws NullPointerException if {@code type} is null
     */
    public <T> Flux<T> ndjson(Class<T> type) {
        Objects.requireNonNull(type, "type");
        JsonCodec.Reader<T> reader = client.codec.reader(type);
        return lines().handle((line, sink) -> {
            if (line.isBlank()) {
                return;
            }
            T value;
            try {
                value = reader.read(line);
            } catch (Exception e) {
                sink.error(e);
                return;
            }
            if (value != null) {
                sink.next(value);
            }
        });
    }

    /**
     * Streams the body of a 2xx response in chunks of exactly {@code size} bytes (the last one may be shorter): like
     * aiohttp's {@code iter_chunked(8192)}. Each buffer is a fresh heap buffer the subscriber may keep.
     *
     * @param size the chunk size in bytes
     * @return the chunks; fails with {@link HttpStatusException} on a non-2xx status
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public Flux<ByteBuffer> chunks(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size > 0 required but it was " + size);
        }
        return client.exchange.chunks(this, size);
    }

    /** Like {@link #result()} but failing with {@link HttpStatusException} on a non-2xx status. */
    Mono<HttpResult> checked() {
        return client.exchange.aggregate(this, true);
    }

    /** The same request sent to another absolute URI (a {@code Link} to the next page), without query additions. */
    HttpRequestSpec withUri(String absoluteUri) {
        return new HttpRequestSpec(client, method, absoluteUri, headers, List.of(), body, crossOrigin);
    }

    /**
     * The request that follows this one to {@code absoluteUri} (a redirect or a next-page link): with
     * {@code bodyless} it becomes a GET (a HEAD stays a HEAD) without body or body headers; with
     * {@code toAnotherOrigin} it loses its credential headers, the client's defaults included, for good.
     */
    HttpRequestSpec followedTo(String absoluteUri, boolean bodyless, boolean toAnotherOrigin) {
        HttpMethod m = bodyless && method != HttpMethod.HEAD ? HttpMethod.GET : method;
        List<NameValue> h = headers;
        if (bodyless) {
            h = Origins.without(h, Origins.BODY_HEADERS);
        }
        boolean cross = crossOrigin || toAnotherOrigin;
        if (cross) {
            h = Origins.without(h, Origins.CREDENTIAL_HEADERS);
        }
        return new HttpRequestSpec(client, m, absoluteUri, h, List.of(), bodyless ? null : body, cross);
    }

    boolean isCrossOrigin() {
        return crossOrigin;
    }

    HttpMethod nettyMethod() {
        return method;
    }

    List<NameValue> headers() {
        return headers;
    }

    @Nullable
    Body body() {
        return body;
    }

    boolean hasHeader(String name) {
        for (NameValue kv : headers) {
            if (kv.name().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static List<NameValue> append(List<NameValue> list, String name, String value) {
        List<NameValue> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(new NameValue(name, value));
        return List.copyOf(copy);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return method.name() + " " + uri();
    }

    /** A request body: text, bytes or an object to write as JSON, each with its default content type. */
    sealed interface Body {

        /** The {@code Content-Type} sent unless the request sets one. */
        String contentType();

        /** The bytes to send; JSON is written at each call, so at each subscription. */
        byte[] encode(JsonCodec codec) throws Exception;

        /** Text, sent as UTF-8. */
        record Text(String text) implements Body {
            @Override
            public String contentType() {
                return "text/plain; charset=utf-8";
            }

            @Override
            public byte[] encode(JsonCodec codec) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
        }

        /** Bytes, a copy the spec owns; sent as they are. */
        record Bytes(byte[] bytes) implements Body {
            @Override
            public String contentType() {
                return "application/octet-stream";
            }

            @Override
            public byte[] encode(JsonCodec codec) {
                return bytes;
            }
        }

        /** An object written by the client's codec. */
        record Json(Object value) implements Body {
            @Override
            public String contentType() {
                return "application/json";
            }

            @Override
            public byte[] encode(JsonCodec codec) throws Exception {
                return codec.write(value);
            }
        }
    }
}
