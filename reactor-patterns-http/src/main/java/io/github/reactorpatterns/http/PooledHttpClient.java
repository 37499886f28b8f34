package io.github.reactorpatterns.http;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.retry.RetryAttempt;
import io.github.reactorpatterns.retry.RetryBudget;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.stream.Paginate;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/**
 * A pooled HTTP client on reactor-netty: Python's httpx or aiohttp {@code AsyncClient}, with the reactor-netty
 * traps closed.
 *
 * <p>Build one per remote service with {@link #builder()} and share it; it is immutable and thread-safe. Each call
 * to {@link #get(String)}, {@link #post(String)}, {@link #put(String)}, {@link #delete(String)} or
 * {@link #request(String, String)} returns an immutable {@link HttpRequestSpec}; nothing is sent until one of the
 * spec's terminals is subscribed, and every subscription sends the request afresh.
 *
 * <p>What it does that a bare reactor-netty {@code HttpClient} does not:
 * <ul>
 *   <li>a named {@link ConnectionProvider} with a bounded wait queue, an idle time below the usual server
 *   keep-alive timeouts, a maximum lifetime and background eviction, so stale keep-alive connections are dropped
 *   before the server drops them;</li>
 *   <li>split timeouts: pool, connect (TCP and TLS together), write, time to the final response headers (one fixed
 *   timer that {@code 1xx} interim responses and dripped bytes do not restart), and idle time between reads of the
 *   body (reactor-netty's {@code responseTimeout} alone is an idle timeout, not a deadline);</li>
 *   <li>interim responses ({@code 1xx} except {@code 101}) are skipped; an HTTP/1.1 connection that has bytes left
 *   over after a response, or receives bytes nobody asked for, is closed instead of pooled;</li>
 *   <li>on HTTP/1.1, requests wait for a connection in a queue of the client's own (at most {@code maxConnections}
 *   per host ask the pool), so a cancelled waiter leaves at once and opens no connection later;</li>
 *   <li>every failure of the client's own is an {@link HttpFailure} that names the request and counts its
 *   attempts, retries included; I/O errors (refused, reset, closed, TLS, DNS) are wrapped in one
 *   {@link HttpTransportException} (an {@code IOException}) whose cause is the Netty or JDK exception;</li>
 *   <li>non-2xx statuses fail with {@link HttpStatusException}; aggregated bodies are capped at
 *   {@code maxResponseBytes}; every terminal gives its connection back on completion, error and cancel;</li>
 *   <li>reactor-netty's own silent retry is switched off ({@code disableRetry(true)}), so a POST is never sent
 *   twice behind the caller's back;</li>
 *   <li>a {@link io.github.reactorpatterns.time.Deadline} in the subscriber's Context bounds every attempt in
 *   flight (waits, headers and body): when it passes the attempt is cancelled, its connection released, and the
 *   request fails with {@link io.github.reactorpatterns.time.DeadlineExceededException};</li>
 *   <li>{@link #get(String, Object...) path templates} percent-encode each value as one path segment, while the
 *   plain string form takes an already-encoded URI and rejects spaces and control characters;</li>
 *   <li>JSON goes through a {@link JsonCodec}: Jackson 2 or Jackson 3, whichever is on the class path;</li>
 *   <li>redirects are off by default and, when on, follow the origin rule (scheme, host and port): credentials and
 *   bodies never go to another origin, a 303 becomes a bodyless GET, https does not fall back to http, and a loop
 *   ends after {@value #DEFAULT_MAX_REDIRECTS} redirects (see {@link Builder#followRedirects(boolean)});</li>
 *   <li>TLS certificates and host names are verified unless {@link Builder#insecureTrustAllForTesting()} says
 *   otherwise.</li>
 * </ul>
 *
 * <p>Call {@link #close()} (or {@link #dispose()}) when the client is no longer needed: it closes the pool.
 */
public final class PooledHttpClient implements Disposable {

    /** The library version, read from the jar; {@code "dev"} when it cannot be determined. */
    public static final String VERSION = readVersion();

    /** The default {@code User-Agent}: {@code reactor-patterns/<version>}. */
    public static final String DEFAULT_USER_AGENT = "reactor-patterns/" + VERSION;

    /** The value of the {@code uri} tag of reactor-netty's HTTP client meters unless mapped otherwise: {@value}. */
    public static final String DEFAULT_URI_TAG = "none";

    /** The default pool name, used in reactor-netty's logs and metrics. */
    public static final String DEFAULT_NAME = "reactor-patterns-http";

    /** Default maximum number of connections per remote host: 100, as httpx's {@code max_connections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100;

    /** Default maximum number of requests waiting for a connection, per remote host: 1,000. */
    public static final int DEFAULT_PENDING_ACQUIRE_MAX_COUNT = 1000;

    /** Default time a request may wait for a pooled connection: 5 s, as httpx's {@code pool=5}. */
    public static final Duration DEFAULT_PENDING_ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Default time a connection may stay idle in the pool: 4 s. Servers close idle keep-alive connections on their
     * own schedule (Apache httpd and Node.js after 5 s, Tomcat after 20 s, AWS ALB after 60 s, nginx after 75 s); a
     * client that keeps a connection longer than the server risks sending a request on a socket the server is
     * closing ("Connection prematurely closed BEFORE response"). 4 s stays below all of them.
     */
    public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofSeconds(4);

    /** Default maximum lifetime of a connection: 5 minutes, so DNS changes and load balancers take effect. */
    public static final Duration DEFAULT_MAX_LIFE_TIME = Duration.ofMinutes(5);

    /** Default interval of the background eviction of idle and expired connections: 2 s. */
    public static final Duration DEFAULT_EVICTION_INTERVAL = Duration.ofSeconds(2);

    /**
     * Default time to establish a connection, the TCP connect and the TLS handshake together: 5 s, as httpx's
     * {@code connect=5}.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Default time from the request sent to the final response's status line and headers: 30 s. */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    /** Default idle time between two reads of the response body, as httpx's {@code read=30}: 30 s. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** Default time one write of the request may take, as httpx's {@code write=10}: 10 s. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

    /** Default cap on an aggregated response body: 10 MiB. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

    /** Default cap on one line of {@link HttpRequestSpec#lines()}: 65,536 chars, as asyncio's stream reader limit. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

    /** Default maximum number of retries of the default retry policy: 2 (three attempts in all). */
    public static final int DEFAULT_MAX_RETRIES = 2;

    /** Default first back-off of the default retry policy: 200 ms, doubling, with jitter, at most 5 s. */
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(200);

    /**
     * Default maximum number of redirects one request follows when {@link Builder#followRedirects(boolean)} is on:
     * 20, as Firefox, Chrome and OkHttp. The next one fails with {@link TooManyRedirectsException}.
     */
    public static final int DEFAULT_MAX_REDIRECTS = 20;

    /** Default maximum back-off of the default retry policy: 5 s (a longer {@code Retry-After} is still honoured). */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

    /** The HTTP protocol a client speaks. */
    public enum Protocol {
        /** HTTP/1.1 over plain TCP or TLS. */
        HTTP_1_1,
        /** HTTP/2 over TLS, negotiated with ALPN (JDK ALPN, no native library needed); HTTP/1.1 if refused. */
        H2,
        /** HTTP/2 over plain TCP with prior knowledge (the server must speak h2c). */
        H2C
    }

    final Settings settings;
    final RetryPolicy retryPolicy;
    final HttpClient netty;
    final ConnectionProvider provider;
    final JsonCodec codec;
    private final Map<String, ConnectionPoolMetrics> pools = new ConcurrentHashMap<>();
    final Exchange exchange;
    private volatile boolean disposed;

    private PooledHttpClient(Settings settings) {
        this.settings = settings;
        this.codec = settings.codec() != null ? settings.codec() : JsonCodec.ofClassPath();
        this.retryPolicy = settings.retryPolicy() != null
                ? settings.retryPolicy()
                : defaultRetryPolicy(settings.retryBudget(), settings.rateLimit(), settings.onRetry());
        this.provider = NettyWiring.provider(settings, pools);
        this.netty = NettyWiring.client(provider, settings);
        this.exchange = new Exchange(settings, netty, retryPolicy, codec);
    }

    private static RetryPolicy defaultRetryPolicy(
            @Nullable RetryBudget budget,
            @Nullable RateLimiter rateLimit,
            @Nullable Consumer<? super RetryAttempt> onRetry) {
        RetryPolicy.Builder b =
                RetryPolicy.backoff(DEFAULT_MAX_RETRIES, DEFAULT_FIRST_BACKOFF).maxBackoff(DEFAULT_MAX_BACKOFF);
        if (budget != null) {
            b.budget(budget);
        }
        if (rateLimit != null) {
            b.pauseOnRetryAfter(rateLimit);
        }
        if (onRetry != null) {
            // every decision, retry or stop
            b.onRetry(onRetry).onGiveUp(onRetry);
        }
        return b.build();
    }

    /**
     * Returns a new builder with every setting at its documented default.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a client with every setting at its default.
     *
     * @return a new client; close it when done
     */
    public static PooledHttpClient create() {
        return builder().build();
    }

    /**
     * Starts a GET request.
     *
     * <p>{@code uri} is an already-encoded URI reference, sent as it is: a {@code ?} starts the query, a {@code #}
     * the fragment, and a space, a control character or a {@code %} that does not start a {@code %XX} escape is
     * rejected. To put values into the path, use {@link #get(String, Object...)}, which encodes them; for query
     * parameters, {@link HttpRequestSpec#query(String, Object)}.
     *
     * @param uri an absolute URI, or a path resolved against the base URL; already encoded
     * @return an immutable request spec; nothing is sent until a terminal is subscribed
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} contains white space, a control character or a bad escape
     */
    public HttpRequestSpec get(String uri) {
        return new HttpRequestSpec(this, HttpMethod.GET, resolve(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * Starts a GET request to a path template: each {@code {name}} placeholder of {@code template} is replaced, in
     * order, by the next value's {@code toString()} encoded as one path segment, so that a value cannot change the
     * path, start a query or a fragment: {@code /}, {@code ?}, {@code #}, {@code %}, spaces, non-ASCII characters and
     * everything else but letters, digits and {@code -._~} are percent-encoded (as UTF-8).
     *
     * <pre>{@code
     * client.get("/users/{id}/orders/{order}", "a/b?c", 7)   // GET /users/a%2Fb%3Fc/orders/7
     * }</pre>
     *
     * <p>The rest of the template is an already-encoded URI reference, as for {@link #get(String)}; it may be
     * absolute or relative to the base URL and may end with a query.
     *
     * @param template a URI with {@code {name}} placeholders (the names are for the reader)
     * @param values one value per placeholder, in order
     * @return an immutable request spec
     * @throws NullPointerException if {@code template}, {@code values} or a value is null
     * @throws IllegalArgumentException if the numbers of placeholders and values differ, a brace is unmatched, a
     *         value is empty, {@code .} or {@code ..} (which would change the path), or the template is not an
     *         encoded URI reference
     */
    public HttpRequestSpec get(String template, Object... values) {
        return new HttpRequestSpec(this, HttpMethod.GET, expand(template, values));
    }

    /**
     * Starts a POST request. POST is not idempotent: it is never retried by the default retry policy.
     *
     * @param uri an absolute URI, or a path resolved against the base URL; already encoded, as for
     *        {@link #get(String)}
     * @return an immutable request spec
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} contains white space, a control character or a bad escape
     */
    public HttpRequestSpec post(String uri) {
        return new HttpRequestSpec(this, HttpMethod.POST, resolve(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * Starts a POST request to a path template, encoded as for {@link #get(String, Object...)}.
     *
     * @param template a URI with {@code {name}} placeholders
     * @param values one value per placeholder, in order
     * @return an immutable request spec
     * @throws NullPointerException if {@code template}, {@code values} or a value is null
     * @throws IllegalArgumentException as for {@link #get(String, Object...)}
     */
    public HttpRequestSpec post(String template, Object... values) {
        return new HttpRequestSpec(this, HttpMethod.POST, expand(template, values));
    }

    /**
     * Starts a PUT request.
     *
     * @param uri an absolute URI, or a path resolved against the base URL; already encoded, as for
     *        {@link #get(String)}
     * @return an immutable request spec
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} contains white space, a control character or a bad escape
     */
    public HttpRequestSpec put(String uri) {
        return new HttpRequestSpec(this, HttpMethod.PUT, resolve(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * Starts a PUT request to a path template, encoded as for {@link #get(String, Object...)}.
     *
     * @param template a URI with {@code {name}} placeholders
     * @param values one value per placeholder, in order
     * @return an immutable request spec
     * @throws NullPointerException if {@code template}, {@code values} or a value is null
     * @throws IllegalArgumentException as for {@link #get(String, Object...)}
     */
    public HttpRequestSpec put(String template, Object... values) {
        return new HttpRequestSpec(this, HttpMethod.PUT, expand(template, values));
    }

    /**
     * Starts a DELETE request.
     *
     * @param uri an absolute URI, or a path resolved against the base URL; already encoded, as for
     *        {@link #get(String)}
     * @return an immutable request spec
     * @throws NullPointerException if {@code uri} is null
     * @throws IllegalArgumentException if {@code uri} contains white space, a control character or a bad escape
     */
    public HttpRequestSpec delete(String uri) {
        return new HttpRequestSpec(this, HttpMethod.DELETE, resolve(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * Starts a DELETE request to a path template, encoded as for {@link #get(String, Object...)}.
     *
     * @param template a URI with {@code {name}} placeholders
     * @param values one value per placeholder, in order
     * @return an immutable request spec
     * @throws NullPointerException if {@code template}, {@code values} or a value is null
     * @throws IllegalArgumentException as for {@link #get(String, Object...)}
     */
    public HttpRequestSpec delete(String template, Object... values) {
        return new HttpRequestSpec(this, HttpMethod.DELETE, expand(template, values));
    }

    /**
     * Starts a request with any method.
     *
     * @param method the method, e.g. {@code "PATCH"}; upper-cased
     * @param uri an absolute URI, or a path resolved against the base URL; already encoded, as for
     *        {@link #get(String)}
     * @return an immutable request spec
     * @throws NullPointerException if {@code method} or {@code uri} is null
     * @throws IllegalArgumentException if {@code method} is empty or contains white space, or {@code uri} contains
     *         white space, a control character or a bad escape
     */
    public HttpRequestSpec request(String method, String uri) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        return new HttpRequestSpec(this, method(method), resolve(uri));
    }

    /**
     * Starts a request with any method to a path template, encoded as for {@link #get(String, Object...)}.
     *
     * @param method the method, e.g. {@code "PATCH"}; upper-cased
     * @param template a URI with {@code {name}} placeholders
     * @param values one value per placeholder, in order
     * @return an immutable request spec
     * @throws NullPointerException if {@code method}, {@code template}, {@code values} or a value is null
     * @throws IllegalArgumentException if {@code method} is empty or contains white space, or as for
     *         {@link #get(String, Object...)}
     */
    public HttpRequestSpec request(String method, String template, Object... values) {
        Objects.requireNonNull(method, "method");
        return new HttpRequestSpec(this, method(method), expand(template, values));
    }

    private static HttpMethod method(String method) {
        String m = method.trim().toUpperCase(Locale.ROOT);
        if (m.isEmpty()
                || !m.equals(method.toUpperCase(Locale.ROOT))
                || m.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("method must be a token but it was '" + method + "'");
        }
        return HttpMethod.valueOf(m);
    }

    private String expand(String template, Object[] values) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(values, "values");
        for (Object v : values) {
            Objects.requireNonNull(v, "values");
        }
        return resolve(PathTemplate.expand(template, values));
    }

    /**
     * Fetches every URI with at most {@code concurrency} requests in flight and settles each one: the Python helpers
     * {@code fetch_all_urls}, {@code fetch_with_limit} and {@code fetch_with_fallback} in one operator.
     *
     * <p>Unlike {@code flatMap}, the outcomes come out in the order of the URIs, and one failure does not cancel the
     * others (like {@code asyncio.gather(..., return_exceptions=True)}). A 2xx response is a success holding its
     * {@link HttpResult}; a non-2xx status is a failure holding an {@link HttpStatusException}; timeouts, connect
     * errors and oversized bodies are failures holding their exception. The returned flux never errors because of a
     * request; an error of {@code uris} itself is passed on. An empty {@code uris} completes empty. Cancelling it
     * cancels the requests in flight and releases their connections. Demand is honoured: at most
     * {@code concurrency} requests run and at most {@code concurrency} outcomes wait for downstream demand.
     *
     * @param uris the URIs (absolute, or paths resolved against the base URL)
     * @param concurrency the maximum number of requests in flight
     * @return the outcomes, in the order of {@code uris}
     * @throws NullPointerException if {@code uris} is null
     * @throws IllegalArgumentException if {@code concurrency} is not positive
     */
    public Flux<Outcome<HttpResult>> fetchAll(Publisher<String> uris, int concurrency) {
        Objects.requireNonNull(uris, "uris");
        // Gather.settled checks concurrency, keeps input order, and holds one outcome per in-flight request (an inner
        // prefetch of 1, not one queue of `concurrency` slots per request); a URI that get() rejects settles as a
        // failure of its own.
        return Flux.from(uris).transform(Gather.settled(concurrency, uri -> get(uri).checked()));
    }

    /**
     * Pages through a cursor-paginated JSON API lazily, like a Python {@code paginate_users} async generator. The first
     * page is {@code first} as given; each next one is {@code first} with the query parameter {@code cursorParam}
     * set to the cursor the previous page returned. Items are read from the array at {@code itemsPointer} and the
     * next cursor from {@code cursorPointer} (JSON Pointers, RFC 6901, e.g. {@code "/users"} and
     * {@code "/next_cursor"}); a missing, null or empty cursor ends the stream.
     *
     * <p>Built on {@link io.github.reactorpatterns.stream.Paginate#byCursor}: nothing is fetched before subscription,
     * the next page is fetched only when every item already fetched has been requested, a cursor repeated by the
     * server fails the stream with an {@link IllegalStateException} instead of looping, and cancelling cancels the
     * fetch in flight (releasing its connection). Each page is a {@link HttpRequestSpec#json(Class)}-like request:
     * non-2xx fails with {@link HttpStatusException} (after the client's retries), after the items of the pages
     * before it.
     *
     * <pre>{@code
     * Flux<User> users = client.paginate(client.get("/users").query("limit", 100), "cursor", "/users",
     *         "/next_cursor", User.class);
     * }</pre>
     *
     * @param first the request of the first page
     * @param cursorParam the query parameter that carries the cursor
     * @param itemsPointer the JSON Pointer of the items array in each page
     * @param cursorPointer the JSON Pointer of the next cursor in each page
     * @param type the class of each item
     * @param <T> the item type
     * @return the items of every page, in order
     * @throws NullPointerException if an argument is null
     */
    public <T> Flux<T> paginate(
            HttpRequestSpec first, String cursorParam, String itemsPointer, String cursorPointer, Class<T> type) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(cursorParam, "cursorParam");
        Objects.requireNonNull(itemsPointer, "itemsPointer");
        Objects.requireNonNull(cursorPointer, "cursorPointer");
        // Resolved here, on the caller's thread: a JSON library's first lookup of a type takes locks.
        JsonCodec.Reader<T> items = codec.reader(Objects.requireNonNull(type, "type"));
        return Paginate.byCursor((Optional<String> cursor) ->
                Pages.<T>byCursor(this, first, cursor, cursorParam, itemsPointer, cursorPointer, items));
    }

    /**
     * Pages through a JSON API that links each page to the next with a {@code Link: <url>; rel="next"} header
     * (RFC 8288; GitHub-style), lazily. The first page is {@code first}; each next one is the same request (method,
     * headers, body) sent to the linked URL, resolved against the URL of the page that linked it, as long as the link
     * stays on the origin (scheme, host and port) of {@code first}. A link to another origin is fetched with a GET
     * without body and without {@code Authorization}, {@code Cookie} and {@code Proxy-Authorization} headers (the
     * default headers included); a link from https to http fails the stream with an {@link IllegalStateException}
     * unless {@link Builder#allowHttpsToHttpRedirects(boolean)}. Items are read from
     * the array at {@code itemsPointer} ({@code ""} for a body that is itself an array). A page without a next link
     * ends the stream. Otherwise as {@link #paginate(HttpRequestSpec, String, String, String, Class)}.
     *
     * @param first the request of the first page
     * @param itemsPointer the JSON Pointer of the items array in each page, {@code ""} for the whole body
     * @param type the class of each item
     * @param <T> the item type
     * @return the items of every page, in order
     * @throws NullPointerException if an argument is null
     */
    public <T> Flux<T> paginateLinks(HttpRequestSpec first, String itemsPointer, Class<T> type) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(itemsPointer, "itemsPointer");
        JsonCodec.Reader<T> items = codec.reader(Objects.requireNonNull(type, "type"));
        return Paginate.byCursor((Optional<String> next) -> Pages.<T>byLink(this, first, next, itemsPointer, items));
    }

    /**
     * Returns the current state of the connection pools, summed over every remote host. {@code pending} counts the
     * requests waiting for a connection, in the client's own queue (HTTP/1.1) and in the pool's.
     *
     * @return a snapshot of acquired, idle, pending and allocated connections
     */
    public PoolMetrics poolMetrics() {
        int acquired = 0;
        int idle = 0;
        int pending = 0;
        int allocated = 0;
        for (ConnectionPoolMetrics m : pools.values()) {
            acquired += m.acquiredSize();
            idle += m.idleSize();
            pending += m.pendingAcquireSize();
            allocated += m.allocatedSize();
        }
        pending += exchange.waiting(); // HTTP/1.1 requests wait in the client's own queue, before the pool's
        return new PoolMetrics(acquired, idle, pending, allocated);
    }

    /**
     * Closes the pool gracefully: idle connections are closed at once, connections in use when they are released.
     *
     * @return a {@code Mono} that completes when the pool is closed; nothing happens until it is subscribed
     */
    public Mono<Void> close() {
        return Mono.defer(() -> {
            disposed = true;
            return provider.disposeLater();
        });
    }

    /**
     * Closes the pool gracefully, as {@link #close()}: the name reactor-netty's own resources use beside
     * {@link #dispose()}.
     *
     * @return a {@code Mono} that completes when the pool is closed; nothing happens until it is subscribed
     */
    public Mono<Void> disposeLater() {
        return close();
    }

    /**
     * Returns a new builder holding this client's settings, to build a client that differs in a few of them. The
     * new client has a connection pool of its own; this client is not changed.
     *
     * @return a builder pre-filled with this client's settings
     */
    public Builder mutate() {
        return new Builder(settings);
    }

    /** Closes the pool without waiting; requests that need a new connection fail afterwards. */
    @Override
    public void dispose() {
        disposed = true;
        provider.dispose();
    }

    /**
     * Tells whether the client has been closed.
     *
     * @return {@code true} after {@link #dispose()} or once {@link #close()} has been subscribed
     */
    @Override
    public boolean isDisposed() {
        return disposed;
    }

    /**
     * Returns the base URL relative URIs are resolved against.
     *
     * @return the base URL, or {@code null} when none was set
     */
    public @Nullable String baseUrl() {
        return settings.baseUrl();
    }

    String resolve(String uri) {
        PathTemplate.checkEncoded(uri);
        String base = settings.baseUrl();
        if (base == null || uri.startsWith("http://") || uri.startsWith("https://")) {
            return uri;
        }
        if (uri.isEmpty()) {
            return base;
        }
        boolean baseSlash = base.endsWith("/");
        boolean uriSlash = uri.startsWith("/");
        if (baseSlash && uriSlash) {
            return base + uri.substring(1);
        }
        if (!baseSlash && !uriSlash && !uri.startsWith("?")) {
            return base + "/" + uri;
        }
        return base + uri;
    }

    /** {@code scheme://authority} of an absolute URI, lower-cased; the URI itself when it has no scheme. */
    static String origin(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri;
        }
        int end = scheme + 3;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String origin = uri.substring(0, end).toLowerCase(Locale.ROOT);
        int at = origin.lastIndexOf('@');
        return at < 0 ? origin : origin.substring(0, scheme + 3) + origin.substring(at + 1);
    }

    private static String readVersion() {
        try (InputStream in = PooledHttpClient.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.isEmpty() || v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    /**
     * Configures a {@link PooledHttpClient}. Reusable: {@link #build()} copies the settings, so one builder can make
     * several clients. Not thread-safe; the clients it builds are.
     */
    public static final class Builder {

        private String name = DEFAULT_NAME;
        private @Nullable String baseUrl;
        private final List<NameValue> defaultHeaders = new ArrayList<>();
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int pendingAcquireMaxCount = DEFAULT_PENDING_ACQUIRE_MAX_COUNT;
        private Duration pendingAcquireTimeout = DEFAULT_PENDING_ACQUIRE_TIMEOUT;
        private Duration maxIdleTime = DEFAULT_MAX_IDLE_TIME;
        private Duration maxLifeTime = DEFAULT_MAX_LIFE_TIME;
        private Duration evictionInterval = DEFAULT_EVICTION_INTERVAL;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private Protocol protocol = Protocol.HTTP_1_1;
        private boolean trustAll;
        private X509Certificate @Nullable [] trustedCertificates;
        private boolean followRedirects;
        private int maxRedirects = DEFAULT_MAX_REDIRECTS;
        private boolean allowHttpsToHttpRedirects;
        private boolean nettyMetrics;
        private Function<String, String> uriTagValue = uri -> DEFAULT_URI_TAG;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private @Nullable JsonCodec codec;
        private @Nullable Scheduler scheduler;
        private @Nullable RetryPolicy retryPolicy;
        private @Nullable RetryBudget retryBudget;
        private @Nullable Consumer<? super RetryAttempt> onRetry;
        private @Nullable RateLimiter rateLimit;
        private @Nullable PermitSource concurrencyLimit;

        private static final boolean MICROMETER_AVAILABLE = micrometerAvailable();

        private Builder() {}

        private Builder(Settings s) {
            this.name = s.name();
            this.baseUrl = s.baseUrl();
            this.defaultHeaders.addAll(s.configuredHeaders());
            this.maxConnections = s.maxConnections();
            this.pendingAcquireMaxCount = s.pendingAcquireMaxCount();
            this.pendingAcquireTimeout = s.pendingAcquireTimeout();
            this.maxIdleTime = s.maxIdleTime();
            this.maxLifeTime = s.maxLifeTime();
            this.evictionInterval = s.evictionInterval();
            this.connectTimeout = s.connectTimeout();
            this.responseTimeout = s.responseTimeout();
            this.readTimeout = s.readTimeout();
            this.writeTimeout = s.writeTimeout();
            this.protocol = s.protocol();
            X509Certificate[] pinned = s.trustedCertificates();
            this.trustAll = s.trustAll();
            this.trustedCertificates = pinned == null ? null : pinned.clone();
            this.followRedirects = s.followRedirects();
            this.maxRedirects = s.maxRedirects();
            this.allowHttpsToHttpRedirects = s.allowHttpsToHttpRedirects();
            this.nettyMetrics = s.nettyMetrics();
            this.uriTagValue = s.uriTagValue();
            this.maxResponseBytes = s.maxResponseBytes();
            this.maxLineLength = s.maxLineLength();
            this.codec = s.codec();
            this.scheduler = s.scheduler();
            this.retryPolicy = s.retryPolicy();
            this.retryBudget = s.retryBudget();
            this.onRetry = s.onRetry();
            this.rateLimit = s.rateLimit();
            this.concurrencyLimit = s.concurrencyLimit();
        }

        private static boolean micrometerAvailable() {
            try {
                Class.forName("io.micrometer.core.instrument.MeterRegistry", false, Builder.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        /**
         * Names the connection pool (reactor-netty logs and metrics use it). Default
         * {@value PooledHttpClient#DEFAULT_NAME}.
         *
         * @param name the pool name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Sets the URL that relative request URIs are resolved against, e.g. {@code https://api.example.com/v1}.
         * Absolute request URIs ignore it. Default: none.
         *
         * @param baseUrl an absolute {@code http} or {@code https} URL
         * @return this builder
         * @throws NullPointerException if {@code baseUrl} is null
         * @throws IllegalArgumentException if {@code baseUrl} is not an absolute http(s) URL
         */
        public Builder baseUrl(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            if (!(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
                throw new IllegalArgumentException("baseUrl must start with http:// or https:// but it was " + baseUrl);
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * Adds a header sent with every request. Setting {@code User-Agent} replaces the default
         * {@link PooledHttpClient#DEFAULT_USER_AGENT}.
         *
         * @param name the header name, an RFC 9110 token
         * @param value the header value
         * @return this builder
         * @throws NullPointerException if {@code name} or {@code value} is null
         * @throws IllegalArgumentException if {@code name} is not a token, or {@code value} contains CR, LF or NUL
         *         (which would inject header lines into every request)
         */
        public Builder defaultHeader(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            HeaderChecks.name(name);
            HeaderChecks.value(name, value);
            defaultHeaders.add(new NameValue(name, value));
            return this;
        }

        /**
         * Sets the maximum number of connections per remote host. Default
         * {@value PooledHttpClient#DEFAULT_MAX_CONNECTIONS}.
         *
         * @param maxConnections the pool size per host
         * @return this builder
         * @throws IllegalArgumentException if {@code maxConnections} is not positive
         */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections <= 0) {
                throw new IllegalArgumentException("maxConnections > 0 required but it was " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * Sets how many requests may wait for a connection per host; beyond it a request fails at once with a
         * {@link PoolFullException} (not retried). Default {@value PooledHttpClient#DEFAULT_PENDING_ACQUIRE_MAX_COUNT}.
         * Named as reactor-netty's {@code ConnectionProvider.Builder.pendingAcquireMaxCount}, which it also sets.
         *
         * @param pendingAcquireMaxCount the bound of the wait queue
         * @return this builder
         * @throws IllegalArgumentException if {@code pendingAcquireMaxCount} is not positive
         */
        public Builder pendingAcquireMaxCount(int pendingAcquireMaxCount) {
            if (pendingAcquireMaxCount <= 0) {
                throw new IllegalArgumentException(
                        "pendingAcquireMaxCount > 0 required but it was " + pendingAcquireMaxCount);
            }
            this.pendingAcquireMaxCount = pendingAcquireMaxCount;
            return this;
        }

        /**
         * Sets how long a request may wait for a pooled connection (httpx's "pool" timeout), in the client's queue and
         * then the pool's; then it fails with an {@link HttpTimeoutException} of phase {@code POOL}. Default 5 s.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder pendingAcquireTimeout(Duration timeout) {
            this.pendingAcquireTimeout = positive(timeout, "pendingAcquireTimeout");
            return this;
        }

        /**
         * Sets how long a connection may stay idle in the pool before it is closed. Keep it below the server's
         * keep-alive timeout. Default 4 s (see {@link PooledHttpClient#DEFAULT_MAX_IDLE_TIME}).
         *
         * @param maxIdleTime a positive duration
         * @return this builder
         * @throws NullPointerException if {@code maxIdleTime} is null
         * @throws IllegalArgumentException if {@code maxIdleTime} is not positive
         */
        public Builder maxIdleTime(Duration maxIdleTime) {
            this.maxIdleTime = positive(maxIdleTime, "maxIdleTime");
            return this;
        }

        /**
         * Sets the maximum lifetime of a connection; an older one is closed when released. Default 5 minutes.
         *
         * @param maxLifeTime a positive duration
         * @return this builder
         * @throws NullPointerException if {@code maxLifeTime} is null
         * @throws IllegalArgumentException if {@code maxLifeTime} is not positive
         */
        public Builder maxLifeTime(Duration maxLifeTime) {
            this.maxLifeTime = positive(maxLifeTime, "maxLifeTime");
            return this;
        }

        /**
         * Sets the interval of the background eviction of idle and expired connections. Default 2 s.
         *
         * @param interval a positive duration
         * @return this builder
         * @throws NullPointerException if {@code interval} is null
         * @throws IllegalArgumentException if {@code interval} is not positive
         */
        public Builder evictInBackground(Duration interval) {
            this.evictionInterval = positive(interval, "interval");
            return this;
        }

        /**
         * Sets the time to establish a connection: the TCP connect and, for {@code https}, the TLS handshake together
         * (the handshake gets what the TCP connect left of it, instead of reactor-netty's separate 10 s). Then the
         * attempt fails with an {@link HttpTimeoutException} of phase {@code CONNECT}. Default 5 s.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets the time to the response headers: from the moment the request has been sent until the final response's
         * status line and headers have arrived. It is one fixed timer: bytes arriving slowly do not restart it, and
         * {@code 1xx} interim responses (which the client skips) count against it. Then the attempt fails with an
         * {@link HttpTimeoutException} of phase {@code RESPONSE}. (Getting a connection is bounded by
         * {@code pendingAcquireTimeout} and {@code connectTimeout}; the body by {@code readTimeout}; each attempt as a
         * whole, waits and body included, by the time left until the {@link io.github.reactorpatterns.time.Deadline}
         * in the subscriber's Context, after which it fails with {@code DeadlineExceededException} and releases its
         * connection.) Default 30 s.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = positive(timeout, "responseTimeout");
            return this;
        }

        /**
         * Sets the longest silence between two reads of the response body once its headers have arrived (httpx's
         * "read" timeout). Then the attempt fails with an {@link HttpTimeoutException} of phase {@code READ}. Unlike
         * reactor-netty's {@code responseTimeout}, which is one idle timeout for headers and body alike, the wait
         * for the headers is {@link #responseTimeout(Duration)}. Default 30 s.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * Sets how long one write of a request body may take (httpx's "write" timeout); then the attempt fails with
         * an {@link HttpTimeoutException} of phase {@code WRITE}. It guards requests with a body: a bodiless
         * request is a few hundred bytes that the socket buffer takes at once, and a peer that stops reading is
         * caught by the response timeout. Default 10 s.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /**
         * Chooses the protocol. Default {@link Protocol#HTTP_1_1}.
         *
         * @param protocol the protocol
         * @return this builder
         * @throws NullPointerException if {@code protocol} is null
         */
        public Builder protocol(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /**
         * Trusts exactly these certificates (instead of the JDK's trust store) for TLS, e.g. the self-signed
         * certificate of a test server. Host names are still verified, and a trusted certificate that has expired (or
         * is not valid yet) is rejected.
         *
         * @param certificates the trusted certificates
         * @return this builder
         * @throws NullPointerException if {@code certificates} or one of them is null
         * @throws IllegalArgumentException if no certificate is given
         */
        public Builder trustedCertificates(X509Certificate... certificates) {
            Objects.requireNonNull(certificates, "certificates");
            if (certificates.length == 0) {
                throw new IllegalArgumentException("at least one certificate required");
            }
            for (X509Certificate c : certificates) {
                Objects.requireNonNull(c, "certificates");
            }
            this.trustedCertificates = certificates.clone();
            return this;
        }

        /**
         * Switches TLS verification off: every certificate and host name is accepted. FOR TESTS ONLY — a client built
         * with it can be impersonated by anyone on the network path. This is the only way to disable verification.
         *
         * @return this builder
         */
        public Builder insecureTrustAllForTesting() {
            this.trustAll = true;
            return this;
        }

        /**
         * Follows 301, 302, 303, 307 and 308 redirects, under the origin rule (an origin is scheme, host and port:
         * {@code http://a:8080} and {@code http://a:8081} are two origins):
         * <ul>
         *   <li>once a redirect leaves the origin of the request, the {@code Authorization}, {@code Cookie} and
         *   {@code Proxy-Authorization} headers (the default headers included) are dropped for the rest of the
         *   chain;</li>
         *   <li>a 303, and a 301 or 302 after a POST (as browsers, curl and OkHttp do), is followed by a GET (a HEAD
         *   stays a HEAD) without body, {@code Content-Type} or {@code Content-Length};</li>
         *   <li>a 307 or 308 keeps the method and body, but a body is never sent to another origin: such a redirect
         *   is not followed;</li>
         *   <li>a redirect from https to http is not followed unless {@link #allowHttpsToHttpRedirects(boolean)};
         *   </li>
         *   <li>after {@link #maxRedirects(int)} redirects the request fails with
         *   {@link TooManyRedirectsException}.</li>
         * </ul>
         * A redirect that is not followed (or has no usable {@code Location}) is the response: {@link
         * HttpRequestSpec#result()} returns it and the other terminals raise {@link HttpStatusException}. Each
         * request of the chain counts against the caller's deadline; retries repeat the whole chain. Default
         * {@code false}: every redirect response is returned as it is.
         *
         * @param follow whether to follow redirects
         * @return this builder
         */
        public Builder followRedirects(boolean follow) {
            this.followRedirects = follow;
            return this;
        }

        /**
         * Sets how many redirects one request follows before it fails with {@link TooManyRedirectsException} (a
         * redirect loop ends there). Default {@value PooledHttpClient#DEFAULT_MAX_REDIRECTS}.
         *
         * @param maxRedirects the maximum number of redirects per request
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRedirects} is not positive
         */
        public Builder maxRedirects(int maxRedirects) {
            if (maxRedirects <= 0) {
                throw new IllegalArgumentException("maxRedirects > 0 required but it was " + maxRedirects);
            }
            this.maxRedirects = maxRedirects;
            return this;
        }

        /**
         * Lets a followed redirect go from https to plain http, where anyone on the path can read and change the
         * request and the response. Default {@code false}: such a redirect is returned as the response.
         *
         * @param allow whether to follow redirects that leave TLS
         * @return this builder
         */
        public Builder allowHttpsToHttpRedirects(boolean allow) {
            this.allowHttpsToHttpRedirects = allow;
            return this;
        }

        /**
         * Registers reactor-netty's own Micrometer meters for this client, as {@code ConnectionProvider.metrics(true)}
         * and {@code HttpClient.metrics(true, uriTagValue)} do on a bare reactor-netty client: the connection pool
         * gauges {@code reactor.netty.connection.provider.{total,active,idle,pending,max,max.pending}.connections}
         * (tags {@code id}, {@code name} = the pool {@link #name(String) name}, {@code remote.address}) and the HTTP
         * client meters {@code reactor.netty.http.client.*} (data sent and received, response, connect and TLS
         * handshake times, errors). They go where reactor-netty puts them, Micrometer's global registry
         * ({@code Metrics.globalRegistry}). {@link PooledHttpClient#poolMetrics()} works either way. Every request is
         * tagged {@code uri} = {@value PooledHttpClient#DEFAULT_URI_TAG}, so that the tag cannot grow without bound;
         * see {@link #nettyMetrics(boolean, Function)} to tag requests by URI. Reactor-netty's
         * {@code reactor.netty.connection.provider.pending.connections.time} timer is not recorded. Default
         * {@code false}.
         *
         * @param enabled whether to register reactor-netty's meters
         * @return this builder
         * @throws UnsupportedOperationException if {@code enabled} and {@code io.micrometer:micrometer-core} is not
         *     on the class path
         */
        public Builder nettyMetrics(boolean enabled) {
            return nettyMetrics(enabled, uri -> DEFAULT_URI_TAG);
        }

        /**
         * Like {@link #nettyMetrics(boolean)}, with the value of the {@code uri} tag of the HTTP client meters
         * computed from each request's URI. The function must map the URIs to a small set of values (templates such
         * as {@code /users/{id}}): every distinct value is a new set of meters.
         *
         * @param enabled whether to register reactor-netty's meters
         * @param uriTagValue maps a request URI to the {@code uri} tag
         * @return this builder
         * @throws NullPointerException if {@code uriTagValue} is null
         * @throws UnsupportedOperationException if {@code enabled} and {@code io.micrometer:micrometer-core} is not
         *     on the class path
         */
        public Builder nettyMetrics(boolean enabled, Function<String, String> uriTagValue) {
            Objects.requireNonNull(uriTagValue, "uriTagValue");
            if (enabled && !MICROMETER_AVAILABLE) {
                throw new UnsupportedOperationException(
                        "nettyMetrics needs io.micrometer:micrometer-core on the class path");
            }
            this.nettyMetrics = enabled;
            this.uriTagValue = uriTagValue;
            return this;
        }

        /**
         * Caps an aggregated body ({@code text}, {@code bytes}, {@code json}, {@code result}). A larger body fails
         * with {@link ResponseTooLargeException} as soon as the limit is crossed (at once when
         * {@code Content-Length} announces it), and the connection is closed rather than reused. Responses that have
         * no body (to {@code HEAD}, and {@code 1xx}, {@code 204}, {@code 304}) are never capped, whatever their
         * {@code Content-Length}. Default 10 MiB.
         *
         * @param maxResponseBytes the cap in bytes
         * @return this builder
         * @throws IllegalArgumentException if {@code maxResponseBytes} is not positive
         */
        public Builder maxResponseBytes(int maxResponseBytes) {
            if (maxResponseBytes <= 0) {
                throw new IllegalArgumentException("maxResponseBytes > 0 required but it was " + maxResponseBytes);
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * Caps one line of {@link HttpRequestSpec#lines()} and {@link HttpRequestSpec#ndjson(Class)}, in chars
         * without the line terminator; a longer line fails the stream with
         * {@link io.github.reactorpatterns.stream.LineTooLongException}. Default 65,536.
         *
         * @param maxLineLength the cap in chars
         * @return this builder
         * @throws IllegalArgumentException if {@code maxLineLength} is not positive
         */
        public Builder maxLineLength(int maxLineLength) {
            if (maxLineLength <= 0) {
                throw new IllegalArgumentException("maxLineLength > 0 required but it was " + maxLineLength);
            }
            this.maxLineLength = maxLineLength;
            return this;
        }

        /**
         * Reads and writes JSON with this Jackson 2 mapper: short for {@code jsonCodec(Jackson2Codec.of(mapper))}.
         * Needs Jackson 2 ({@code com.fasterxml.jackson.core:jackson-databind}) on the class path.
         *
         * @param mapper the mapper; it must not be reconfigured afterwards
         * @return this builder
         * @throws NullPointerException if {@code mapper} is null
         */
        public Builder objectMapper(ObjectMapper mapper) {
            this.codec = Jackson2Codec.of(Objects.requireNonNull(mapper, "mapper"));
            return this;
        }

        /**
         * Sets how JSON bodies, results and pages are read and written: {@link Jackson2Codec} for Jackson 2,
         * {@link Jackson3Codec} for Jackson 3 (e.g. {@code Jackson3Codec.of(jsonMapper)} with Spring Boot 4's
         * configured {@code JsonMapper}), or an implementation of {@link JsonCodec} for another library. Default:
         * {@link JsonCodec#ofClassPath()}, Jackson 2 if it is on the class path, else Jackson 3.
         *
         * @param codec the codec
         * @return this builder
         * @throws NullPointerException if {@code codec} is null
         */
        public Builder jsonCodec(JsonCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Sets the scheduler whose clock dates {@code Retry-After} HTTP-dates. Default {@code Schedulers.parallel()},
         * looked up at each use so that {@code StepVerifier.withVirtualTime} can replace it. (Back-off is timed by
         * the retry policy's scheduler; network timeouts by the connection's event loop.)
         *
         * @param scheduler the timer scheduler
         * @return this builder
         * @throws NullPointerException if {@code scheduler} is null
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets the retry policy for failed attempts. Whatever the policy, the client retries only
         * <ul>
         *   <li>idempotent methods: GET, HEAD, OPTIONS, TRACE, PUT and DELETE (a POST or PATCH is never sent twice);
         *   </li>
         *   <li>on connection failures (refused, reset, closed before or during the response; not TLS or DNS
         *   failures), on {@link HttpTimeoutException}s other than {@code POOL}, and on the statuses 429, 502, 503
         *   and 504;</li>
         *   <li>for streaming terminals, only before their first element.</li>
         * </ul>
         * The policy then decides how often and how long to wait: it honours {@code Retry-After} (seconds or
         * HTTP-date, through {@link HttpStatusException#retryAfter()}), stops at the caller's
         * {@link io.github.reactorpatterns.time.Deadline}, and wraps the last error in a
         * {@code RetryExhaustedException} when its retries run out ({@link HttpRequestSpec#result()} then returns
         * the last response instead). reactor-netty's own silent retry is always disabled.
         *
         * <p>Default: {@link RetryPolicy#backoff(int, Duration) backoff}({@value PooledHttpClient#DEFAULT_MAX_RETRIES},
         * 200 ms) with a 5 s maximum back-off, plus the {@link #retryBudget(RetryBudget)} and the
         * {@link #rateLimit(RateLimiter)} pause when they are set. {@code retry(RetryPolicy.none())} switches retries
         * off.
         *
         * @param policy the policy
         * @return this builder
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder retry(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Gives the default retry policy a {@link RetryBudget}, so that retries cannot multiply an outage: with the
         * budget empty, a failed attempt is not retried. Share one budget among the clients of one service. For a
         * custom policy set the budget on the policy itself; combining both is rejected by {@link #build()}.
         *
         * @param budget the shared budget
         * @return this builder
         * @throws NullPointerException if {@code budget} is null
         */
        public Builder retryBudget(RetryBudget budget) {
            this.retryBudget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * Reports every decision of the default retry policy, retry or stop, as
         * {@link RetryPolicy.Builder#onRetry(Consumer)} and {@link RetryPolicy.Builder#onGiveUp(Consumer)} do (for
         * logs and metrics, such as {@code RetryPolicyMetrics} of {@code reactor-patterns-micrometer}). Default: none.
         * With {@link #retry(RetryPolicy)}, set the callbacks on that policy instead.
         *
         * @param onRetry the callback; it runs on the thread that signals the error and should be fast
         * @return this builder
         * @throws NullPointerException if {@code onRetry} is null
         */
        public Builder onRetry(Consumer<? super RetryAttempt> onRetry) {
            this.onRetry = Objects.requireNonNull(onRetry, "onRetry");
            return this;
        }

        /**
         * Makes every attempt of every request (retries included) take a token from {@code bucket} before it is
         * sent: the {@code TokenBucket(rate, burst)} pattern. With a {@link #concurrencyLimit(PermitSource)} too, the
         * token is taken after the permit, so that requests queued behind a slow one do not each take a token while
         * they wait and then fire together: the server never sees more than {@code burst + rate * T} requests in a
         * span {@code T}. The bucket may be shared with other clients. A request waiting for a token holds no
         * connection; cancelling it gives its place up. With the default retry policy, a
         * {@code Retry-After} on a 429 or 503 also pauses the bucket
         * ({@link RetryPolicy.Builder#pauseOnRetryAfter(RateLimiter)}), so every caller backs off, not only the one
         * that was told to.
         *
         * @param bucket the token bucket
         * @return this builder
         * @throws NullPointerException if {@code bucket} is null
         */
        public Builder rateLimit(RateLimiter bucket) {
            this.rateLimit = Objects.requireNonNull(bucket, "bucket");
            return this;
        }

        /**
         * Makes every attempt hold a permit of {@code semaphore} from before it takes a rate-limit token and asks the
         * pool for a connection until its response is read (or it fails or is cancelled): a module-level
         * {@code Semaphore(n)} shared by many callers. A permit is not held during a retry's back-off. The semaphore
         * may be shared with other clients or other work.
         *
         * @param semaphore the semaphore
         * @return this builder
         * @throws NullPointerException if {@code semaphore} is null
         */
        public Builder concurrencyLimit(PermitSource semaphore) {
            this.concurrencyLimit = Objects.requireNonNull(semaphore, "semaphore");
            return this;
        }

        /**
         * Builds a client with a new connection pool. The builder can be reused.
         *
         * @return a new client; close it when done
         * @throws IllegalStateException if {@link #retry(RetryPolicy)} was set together with
         *         {@link #retryBudget(RetryBudget)} or {@link #onRetry(Consumer)}
         */
        public PooledHttpClient build() {
            if (retryPolicy != null && retryBudget != null) {
                throw new IllegalStateException("retryBudget applies to the default retry policy; "
                        + "set the budget on the RetryPolicy given to retry(...) instead");
            }
            if (retryPolicy != null && onRetry != null) {
                throw new IllegalStateException("onRetry applies to the default retry policy; "
                        + "set onRetry on the RetryPolicy given to retry(...) instead");
            }
            return new PooledHttpClient(settings());
        }

        /** A snapshot of this builder's settings. */
        private Settings settings() {
            return new Settings(
                    name,
                    baseUrl,
                    List.copyOf(defaultHeaders),
                    Settings.withUserAgent(defaultHeaders),
                    maxConnections,
                    pendingAcquireMaxCount,
                    pendingAcquireTimeout,
                    maxIdleTime,
                    maxLifeTime,
                    evictionInterval,
                    connectTimeout,
                    responseTimeout,
                    readTimeout,
                    writeTimeout,
                    protocol,
                    trustAll,
                    trustedCertificates == null ? null : trustedCertificates.clone(),
                    followRedirects,
                    maxRedirects,
                    allowHttpsToHttpRedirects,
                    nettyMetrics,
                    uriTagValue,
                    maxResponseBytes,
                    maxLineLength,
                    codec,
                    scheduler,
                    retryPolicy,
                    retryBudget,
                    onRetry,
                    rateLimit,
                    concurrencyLimit);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " > 0 required but it was " + d);
            }
            return d;
        }
    }
}
