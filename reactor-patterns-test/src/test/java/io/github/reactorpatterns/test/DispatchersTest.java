package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

@MockHttpServerTest
class DispatchersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"next\"");
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    private static RecordedRequest get(String target) {
        return new RecordedRequest("GET", target, Map.of(), new byte[0], "HTTP/1.1", 0);
    }

    private static String body(MockResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void paginatedJsonPagesByCursorInBodyAndLinkHeader() {
        Function<RecordedRequest, MockResponse> pages = Dispatchers.paginatedJson(5, 2);

        MockResponse first = pages.apply(get("/items"));
        assertThat(body(first)).isEqualTo("{\"items\":[{\"id\":0},{\"id\":1}],\"next_cursor\":\"2\"}");
        assertThat(first.headers().get("link")).containsExactly("</items?cursor=2>; rel=\"next\"");
        assertThat(first.headers().get("content-type")).containsExactly("application/json");

        MockResponse last = pages.apply(get("/items?cursor=4"));
        assertThat(body(last)).isEqualTo("{\"items\":[{\"id\":4}],\"next_cursor\":null}");
        assertThat(last.headers()).doesNotContainKey("link");
    }

    @Test
    void paginatedJsonWithNoItemsHasOneEmptyPage() {
        MockResponse only = Dispatchers.paginatedJson(0, 3).apply(get("/items"));

        assertThat(body(only)).isEqualTo("{\"items\":[],\"next_cursor\":null}");
        assertThat(only.headers()).doesNotContainKey("link");
    }

    @Test
    void paginatedJsonRejectsBadCursor() {
        Function<RecordedRequest, MockResponse> pages = Dispatchers.paginatedJson(5, 2);

        assertThat(pages.apply(get("/items?cursor=x")).status()).isEqualTo(400);
        assertThat(body(pages.apply(get("/items?cursor=%22x")))).contains("\"cursor\":\"\\\"x\"");
        assertThat(pages.apply(get("/items?cursor=6")).status()).isEqualTo(400);
        assertThat(pages.apply(get("/items?cursor=-1")).status()).isEqualTo(400);
    }

    @Test
    void paginatedJsonFollowedByLinkHeaderWithReactorNetty(MockHttpServer server) {
        server.dispatcher(Dispatchers.paginatedJson(25, 10));
        HttpClient client = HttpClient.create();

        Flux<String> ids = fetch(client, server.url("/items"))
                .expand(page -> page.next == null ? Mono.empty() : fetch(client, page.next))
                .flatMapIterable(page -> page.ids);

        StepVerifier.create(ids.count()).expectNext(25L).expectComplete().verify(TIMEOUT);
        assertThat(server.requestCount()).isEqualTo(3);
    }

    private record Page(List<String> ids, URI next) {}

    private static Mono<Page> fetch(HttpClient client, URI url) {
        return client.get()
                .uri(url)
                .responseSingle((res, body) -> body.asString().map(json -> {
                    List<String> ids = new ArrayList<>();
                    Matcher m = ID.matcher(json);
                    while (m.find()) {
                        ids.add(m.group(1));
                    }
                    String link = res.responseHeaders().get("link");
                    URI next = null;
                    if (link != null) {
                        Matcher l = LINK.matcher(link);
                        assertThat(l.find()).isTrue();
                        next = url.resolve(l.group(1));
                    }
                    return new Page(ids, next);
                }));
    }

    @Test
    void flakyIsDeterministicBySeedAndNearTheRate() {
        List<Integer> first = statuses(Dispatchers.flaky(0.3, 42L), 1000);
        List<Integer> again = statuses(Dispatchers.flaky(0.3, 42L), 1000);
        List<Integer> other = statuses(Dispatchers.flaky(0.3, 43L), 1000);

        assertThat(first).isEqualTo(again).isNotEqualTo(other);
        long failures = first.stream().filter(s -> s == 503).count();
        assertThat(failures).isBetween(240L, 360L);
        assertThat(statuses(Dispatchers.flaky(0.0, 1L), 100)).containsOnly(200);
        assertThat(statuses(Dispatchers.flaky(1.0, 1L), 100)).containsOnly(503);
    }

    @Test
    void flakyFailureCarriesRetryAfter() {
        MockResponse failure = Dispatchers.flaky(1.0, 7L).apply(get("/"));

        assertThat(failure.status()).isEqualTo(503);
        assertThat(failure.headers().get("retry-after")).containsExactly("0");
        MockResponse success =
                Dispatchers.flaky(0.0, 7L, r -> MockResponse.of(201, r.path())).apply(get("/p"));
        assertThat(success.status()).isEqualTo(201);
        assertThat(body(success)).isEqualTo("/p");
    }

    @Test
    void flakyServedToJdkClient(MockHttpServer server) throws Exception {
        server.dispatcher(Dispatchers.flaky(0.5, 11L));
        List<Integer> expected = statuses(Dispatchers.flaky(0.5, 11L), 20);
        java.net.http.HttpClient jdk = java.net.http.HttpClient.newHttpClient();

        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = jdk.sendAsync(
                            HttpRequest.newBuilder(server.url("/f")).build(), HttpResponse.BodyHandlers.ofString())
                    .get(10, TimeUnit.SECONDS);
            seen.add(response.statusCode());
            if (response.statusCode() == 503) {
                assertThat(response.headers().firstValue("retry-after")).hasValue("0");
            }
        }
        assertThat(seen).isEqualTo(expected);
    }

    private static List<Integer> statuses(Function<RecordedRequest, MockResponse> dispatcher, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(dispatcher.apply(get("/")).status());
        }
        return out;
    }

    @Test
    void ndjsonStreamSendsNumberedLines(MockHttpServer server) throws Exception {
        server.dispatcher(Dispatchers.ndjsonStream(4, Duration.ofMillis(20)));

        Flux<String> lines = HttpClient.create()
                .get()
                .uri(server.url("/events"))
                .response((res, body) -> {
                    assertThat(res.responseHeaders().get("content-type")).isEqualTo("application/x-ndjson");
                    return body.asString();
                })
                .collect(Collectors.joining())
                .flatMapIterable(all -> List.of(all.split("\n")));
        StepVerifier.create(lines)
                .expectNext("{\"seq\":0}", "{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}")
                .expectComplete()
                .verify(TIMEOUT);

        HttpResponse<java.util.stream.Stream<String>> jdk = java.net.http.HttpClient.newHttpClient()
                .sendAsync(HttpRequest.newBuilder(server.url("/events")).build(), HttpResponse.BodyHandlers.ofLines())
                .get(10, TimeUnit.SECONDS);
        assertThat(jdk.body().collect(Collectors.toList())).hasSize(4).startsWith("{\"seq\":0}");
    }

    @Test
    void badArgumentsFailAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Dispatchers.paginatedJson(-1, 1))
                .withMessage("totalItems >= 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Dispatchers.paginatedJson(1, 0))
                .withMessage("pageSize > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Dispatchers.flaky(1.5, 1L))
                .withMessage("failureRate between 0.0 and 1.0 required but it was 1.5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Dispatchers.flaky(Double.NaN, 1L))
                .withMessage("failureRate between 0.0 and 1.0 required but it was NaN");
        assertThatNullPointerException()
                .isThrownBy(() -> Dispatchers.flaky(0.1, 1L, null))
                .withMessage("otherwise");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Dispatchers.ndjsonStream(-1, Duration.ZERO))
                .withMessage("events >= 0 required but it was -1");
        assertThatNullPointerException()
                .isThrownBy(() -> Dispatchers.ndjsonStream(1, null))
                .withMessage("between");
    }
}
