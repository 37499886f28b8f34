package io.github.reactorpatterns.examples;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.reactorpatterns.concurrent.Settled;
import io.github.reactorpatterns.concurrent.TaskScope;
import io.github.reactorpatterns.http.GenericType;
import io.github.reactorpatterns.http.HttpStatusException;
import io.github.reactorpatterns.http.HttpTimeoutException;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.time.Deadline;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** httpx/aiohttp clients: {@link PooledHttpClient} on reactor-netty, tested against {@code MockHttpServer}. */
final class HttpRecipes {

    static final GenericType<List<Map<String, Object>>> JSON_LIST = new GenericType<>() {};

    private HttpRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::createClient[]
    // create_client(): httpx.AsyncClient(base_url=..., timeout=Timeout(connect=5.0, read=30.0, write=10.0, pool=5.0),
    //     limits=Limits(max_connections=100, ...), headers={"User-Agent": "my-app/1.0"}, http2=True)
    static PooledHttpClient.Builder createClient(String baseUrl) {
        return PooledHttpClient.builder()
                .baseUrl(baseUrl)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(30))                // idle time between two reads
                .writeTimeout(Duration.ofSeconds(10))
                .pendingAcquireTimeout(Duration.ofSeconds(5))       // pool=5.0: waiting for a free connection
                .maxConnections(100)
                .defaultHeader("User-Agent", "my-app/1.0")
                .protocol(PooledHttpClient.Protocol.H2);            // HTTP/2 by ALPN, HTTP/1.1 if refused
    }

    // async with await create_client() as client: resp = await client.get("/users"); users = resp.json()
    static Mono<List<Map<String, Object>>> main(Supplier<PooledHttpClient> createClient) {
        return Mono.usingWhen(
                Mono.fromSupplier(createClient),
                client -> client.get("/users").json(JSON_LIST),     // non-2xx: HttpStatusException
                PooledHttpClient::close);                           // the pool closes on error and cancel too
    }
    // end::createClient[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::aiohttp[]
    // aiohttp: TCPConnector(limit=100, limit_per_host=30), ClientTimeout(total=30, connect=5), base_url=...
    static final AsyncSemaphore ALL_HOSTS = AsyncSemaphore.of(100);  // limit=100 over every host (and client)

    static PooledHttpClient aiohttpStyleClient(String baseUrl) {
        return PooledHttpClient.builder()
                .baseUrl(baseUrl)
                .maxConnections(30)                                 // limit_per_host=30: the pool is per host
                .concurrencyLimit(ALL_HOSTS)
                .connectTimeout(Duration.ofSeconds(5))
                .build();                                           // idle connections are evicted in background
    }

    // async with session.get("/users") as resp: users = await resp.json()   -- total=30 is a deadline
    static Mono<List<Map<String, Object>>> users(PooledHttpClient session) {
        return session.get("/users").json(JSON_LIST).transform(Deadline.within(Duration.ofSeconds(30)));
    }
    // end::aiohttp[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::apiClient[]
    // class ApiClient: one httpx.AsyncClient reused for connection pooling; get() raises for status; close()
    static final class ApiClient {
        private final PooledHttpClient client;

        ApiClient(String baseUrl) {
            this.client = PooledHttpClient.builder()
                    .baseUrl(baseUrl)
                    .responseTimeout(Duration.ofSeconds(30))
                    .defaultHeader("User-Agent", "MyApp/1.0")
                    .build();
        }

        Mono<Map<String, Object>> get(String path) {
            return client.get(path).json(new GenericType<Map<String, Object>>() { });
        }

        Mono<Void> close() {
            return client.close();
        }
    }
    // end::apiClient[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchUrl[]
    // fetch_url(session, url): session.get(url, timeout=ClientTimeout(total=30)); raise_for_status(); text()
    static Mono<String> fetchUrl(PooledHttpClient session, String url) {
        return session.get(url).text()                              // non-2xx fails with HttpStatusException
                .transform(Deadline.within(Duration.ofSeconds(30)));
    }

    // fetch_all(urls) with a TaskGroup: every URL at once, the first failure cancels the others
    static Mono<List<String>> fetchAll(PooledHttpClient client, List<String> urls) {
        return TaskScope.all(urls.stream().map(url -> fetchUrl(client, url)).toList());
    }
    // end::fetchUrl[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchWithFallback[]
    // fetch_with_fallback(urls): results of the requests that worked; except* HTTPStatusError / TimeoutException
    static Mono<List<String>> fetchWithFallback(PooledHttpClient client, List<String> urls, Consumer<String> log) {
        return client.fetchAll(Flux.fromIterable(urls), 10)        // at most 10 in flight, outcomes in input order
                .collectList()
                .map(Settled::of)
                .map(settled -> {
                    int errors = settled.failuresOf(HttpStatusException.class).size()
                            + settled.failuresOf(HttpTimeoutException.class).size();
                    if (errors > 0) {
                        log.accept(String.format("Failed %d/%d requests", errors, urls.size()));
                    }
                    return settled.successes().stream().map(result -> result.bodyAsString()).toList();
                });
    }
    // end::fetchWithFallback[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::paginateUsers[]
    // paginate_users(client, page_size=100): GET /users?limit=..&cursor=..; yield from data["users"]; next_cursor
    static Flux<Map<String, Object>> paginateUsers(PooledHttpClient client, int pageSize) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Map<String, Object>> type = (Class) Map.class;
        return client.paginate(client.get("/users").query("limit", pageSize),
                "cursor", "/users", "/next_cursor", type);          // lazy: one page at a time, on demand
    }

    // export_all_users(client): users = [user async for user in paginate_users(client)]
    static Mono<List<Map<String, Object>>> exportAllUsers(PooledHttpClient client) {
        return paginateUsers(client, 100).collectList();
    }
    // end::paginateUsers[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::streaming[]
    // stream_lines(client, url): async with client.stream("GET", url): async for line in aiter_lines(): if line.strip()
    static Flux<String> streamLines(PooledHttpClient client, String url) {
        return client.get(url).lines().filter(line -> !line.isBlank());   // cancel closes the connection
    }

    // stream_data(url): async for chunk in response.content.iter_chunked(8192): yield chunk
    static Flux<ByteBuffer> streamData(PooledHttpClient client, String url) {
        return client.get(url).chunks(8192);
    }

    // process_stream(): async for chunk in stream_data(...): print(f"Received {len(chunk)} bytes")
    static Mono<Void> processStream(PooledHttpClient client, Consumer<String> print) {
        return streamData(client, "/large-file")
                .doOnNext(chunk -> print.accept("Received " + chunk.remaining() + " bytes"))
                .then();
    }
    // end::streaming[]
    // spotless:on
}
