package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.IntStream;

import io.github.reactorpatterns.concurrent.TaskGroupException;
import io.github.reactorpatterns.http.HttpStatusException;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.test.Dispatchers;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

@MockHttpServerTest
class HttpRecipesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static PooledHttpClient client(MockHttpServer server) {
        return PooledHttpClient.builder()
                .baseUrl(server.url("/").toString())
                .retry(RetryPolicy.none())
                .build();
    }

    @Test
    void mainSpeaksHttp2OverTlsSendsTheHeadersAndClosesThePool() {
        try (MockHttpServer server = MockHttpServer.startTls()) {
            server.enqueue(
                    MockResponse.builder().jsonBody("[{\"id\":1},{\"id\":2}]").build());
            List<PooledHttpClient> created = new CopyOnWriteArrayList<>();
            StepVerifier.create(HttpRecipes.main(() -> {
                        PooledHttpClient c = HttpRecipes.createClient(
                                        server.url("/").toString())
                                .trustedCertificates(server.certificate())
                                .build();
                        created.add(c);
                        return c;
                    }))
                    .assertNext(users ->
                            assertThat(users).extracting(u -> u.get("id")).containsExactly(1, 2))
                    .expectComplete()
                    .verify(TIMEOUT);
            RecordedRequest request = server.takeRequest(Duration.ofSeconds(5));
            assertThat(request).isNotNull();
            assertThat(request.path()).isEqualTo("/users");
            assertThat(request.header("User-Agent")).isEqualTo("my-app/1.0");
            assertThat(request.protocol()).containsIgnoringCase("2");
            assertThat(created)
                    .singleElement()
                    .satisfies(c -> assertThat(c.isDisposed()).isTrue());
        }
    }

    @Test
    void aiohttpStyleClientReadsUsers(MockHttpServer server) {
        server.enqueue(MockResponse.builder().jsonBody("[{\"name\":\"ada\"}]").build());
        PooledHttpClient session =
                HttpRecipes.aiohttpStyleClient(server.url("/").toString());
        try {
            StepVerifier.create(HttpRecipes.users(session))
                    .assertNext(users -> assertThat(users)
                            .singleElement()
                            .satisfies(user -> assertThat(user).containsEntry("name", "ada")))
                    .expectComplete()
                    .verify(TIMEOUT);
            assertThat(HttpRecipes.ALL_HOSTS.availablePermits()).isEqualTo(100);
        } finally {
            session.dispose();
        }
    }

    @Test
    void apiClientRaisesForStatus(MockHttpServer server) {
        server.enqueue(MockResponse.builder().jsonBody("{\"ok\":true}").build());
        server.enqueue(MockResponse.of(404, "no such thing"));
        HttpRecipes.ApiClient api = new HttpRecipes.ApiClient(server.url("/").toString());
        StepVerifier.create(api.get("/data"))
                .assertNext(body -> assertThat(body).containsEntry("ok", true))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(api.get("/missing"))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(HttpStatusException.class)
                        .satisfies(x ->
                                assertThat(((HttpStatusException) x).status()).isEqualTo(404)))
                .verify(TIMEOUT);
        StepVerifier.create(api.close()).expectComplete().verify(TIMEOUT);
        assertThat(server.takeRequest(Duration.ofSeconds(5)).header("User-Agent"))
                .isEqualTo("MyApp/1.0");
    }

    @Test
    void fetchAllReturnsBodiesInOrderOrFailsAsAGroup(MockHttpServer server) {
        server.dispatcher(request -> request.path().equals("/bad")
                ? MockResponse.of(500, "boom")
                : MockResponse.builder()
                        .body("page " + request.path())
                        .headersDelay(Duration.ofMillis(request.path().equals("/a") ? 100 : 0))
                        .build());
        PooledHttpClient client = client(server);
        try {
            StepVerifier.create(HttpRecipes.fetchAll(client, List.of("/a", "/b", "/c")))
                    .expectNext(List.of("page /a", "page /b", "page /c"))
                    .expectComplete()
                    .verify(TIMEOUT);
            StepVerifier.create(HttpRecipes.fetchAll(client, List.of("/a", "/bad")))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(TaskGroupException.class)
                            .satisfies(g -> assertThat(((TaskGroupException) g).exceptionsOf(HttpStatusException.class))
                                    .hasSize(1)))
                    .verify(TIMEOUT);
        } finally {
            client.dispose();
        }
    }

    @Test
    void fetchWithFallbackKeepsTheSuccessesAndLogsTheFailures(MockHttpServer server) {
        server.dispatcher(request -> request.path().startsWith("/bad")
                ? MockResponse.of(503, "down")
                : MockResponse.of(200, "ok " + request.path()));
        List<String> log = new CopyOnWriteArrayList<>();
        List<String> urls = IntStream.range(0, 30)
                .mapToObj(i -> (i % 10 == 3 ? "/bad" : "/ok") + i)
                .toList();
        PooledHttpClient client = client(server);
        try {
            StepVerifier.create(HttpRecipes.fetchWithFallback(client, urls, log::add))
                    .assertNext(bodies ->
                            assertThat(bodies).hasSize(27).startsWith("ok /ok0").endsWith("ok /ok29"))
                    .expectComplete()
                    .verify(TIMEOUT);
            assertThat(log).containsExactly("Failed 3/30 requests");
        } finally {
            client.dispose();
        }
    }

    @Test
    void exportAllUsersPagesThroughEveryCursor(MockHttpServer server) {
        Function<RecordedRequest, MockResponse> pages = Dispatchers.paginatedJson(250, 100);
        server.dispatcher(request -> {
            MockResponse page = pages.apply(request);
            return page.toBuilder()
                    .jsonBody(new String(page.body()).replace("\"items\"", "\"users\""))
                    .build();
        });
        PooledHttpClient client = client(server);
        try {
            StepVerifier.create(HttpRecipes.exportAllUsers(client))
                    .assertNext(users -> assertThat(users)
                            .hasSize(250)
                            .extracting(u -> u.get("id"))
                            .startsWith(0, 1)
                            .endsWith(249))
                    .expectComplete()
                    .verify(TIMEOUT);
            assertThat(server.requestCount()).isEqualTo(3);
            assertThat(server.takeRequest(Duration.ofSeconds(5)).queryParameter("limit"))
                    .isEqualTo("100");
            StepVerifier.create(HttpRecipes.paginateUsers(client, 100).take(5)) // lazy: one page is enough
                    .expectNextCount(5)
                    .expectComplete()
                    .verify(TIMEOUT);
            assertThat(server.requestCount()).isEqualTo(4);
        } finally {
            client.dispose();
        }
    }

    @Test
    void streamLinesSkipsBlankLinesAndStreamDataCutsFixedChunks(MockHttpServer server) {
        server.enqueue(MockResponse.builder()
                .body("{\"seq\":0}\n\n{\"seq\":1}\n   \n{\"seq\":2}\n")
                .build());
        server.enqueue(MockResponse.builder().body(new byte[20_000]).build());
        PooledHttpClient client = client(server);
        try {
            StepVerifier.create(HttpRecipes.streamLines(client, "/events"))
                    .expectNext("{\"seq\":0}", "{\"seq\":1}", "{\"seq\":2}")
                    .expectComplete()
                    .verify(TIMEOUT);
            List<String> printed = new CopyOnWriteArrayList<>();
            StepVerifier.create(HttpRecipes.processStream(client, printed::add))
                    .expectComplete()
                    .verify(TIMEOUT);
            assertThat(printed).containsExactly("Received 8192 bytes", "Received 8192 bytes", "Received 3616 bytes");
        } finally {
            client.dispose();
        }
    }

    @Test
    void streamLinesReadsAnNdjsonFeedAsItArrives(MockHttpServer server) {
        server.dispatcher(Dispatchers.ndjsonStream(5, Duration.ofMillis(20)));
        PooledHttpClient client = client(server);
        try {
            StepVerifier.create(HttpRecipes.streamLines(client, "/feed").take(3))
                    .expectNext("{\"seq\":0}", "{\"seq\":1}", "{\"seq\":2}")
                    .expectComplete()
                    .verify(TIMEOUT);
        } finally {
            client.dispose();
        }
    }
}
