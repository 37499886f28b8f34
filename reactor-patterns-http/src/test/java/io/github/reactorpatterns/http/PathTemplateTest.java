package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockHttpServerTest;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Path templates encode their values as path segments; the plain string form must already be encoded. */
@MockHttpServerTest
class PathTemplateTest {

    @AutoClose
    private final Clients clients = new Clients();

    /**
     * Regression: {@code get("/users/" + id)} with an id holding {@code ?} silently sent a query (and a space threw
     * an obscure error). A template's values are encoded as one path segment each.
     */
    @Test
    void pathValueWithQuestionMarkStaysInThePath(MockHttpServer server) {
        PooledHttpClient client = clients.add(PooledHttpClient.builder()
                .baseUrl(server.url("/api").toString())
                .build());
        server.enqueue(MockResponse.of(200, "ok"));
        StepVerifier.create(client.get("/users/{id}/files/{name}", "a?admin=1#x", "r\u00e9sum\u00e9 50%/v2")
                        .query("q", "1")
                        .text())
                .expectNext("ok")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        RecordedRequest r = server.takeRequest(Duration.ofSeconds(5));
        assertThat(r).isNotNull();
        assertThat(r.target()).isEqualTo("/api/users/a%3Fadmin%3D1%23x/files/r%C3%A9sum%C3%A9%2050%25%2Fv2?q=1");
        assertThat(r.query()).isEqualTo("q=1");
    }

    @Test
    void everyMethodHasATemplateForm() {
        PooledHttpClient client = clients.add(
                PooledHttpClient.builder().baseUrl("http://example.com").build());
        assertThat(client.get("/u/{id}", 7).uri()).isEqualTo("http://example.com/u/7");
        assertThat(client.post("/u/{id}", "a b").uri()).isEqualTo("http://example.com/u/a%20b");
        assertThat(client.put("/u/{id}.json", "x/y").uri()).isEqualTo("http://example.com/u/x%2Fy.json");
        assertThat(client.delete("http://other.example/u/{id}", "~ok-._").uri())
                .isEqualTo("http://other.example/u/~ok-._");
        HttpRequestSpec patch = client.request("patch", "/u/{a}/{b}", "+", ";");
        assertThat(patch.method()).isEqualTo("PATCH");
        assertThat(patch.uri()).isEqualTo("http://example.com/u/%2B/%3B");
        // No value: the one-argument form, which sends the string as it is.
        assertThat(client.get("/u/{id}").uri()).isEqualTo("http://example.com/u/{id}");
    }

    @Test
    void badTemplatesAndValuesAreRejected() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/u/{id}", 1, 2))
                .withMessage("the path template /u/{id} has 1 placeholder but 2 values were given");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/u/{a}/{b}", 1))
                .withMessage("the path template /u/{a}/{b} has 2 placeholders but 1 value was given");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/u/{id", 1))
                .withMessage("unclosed '{' at index 3 of the path template /u/{id");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/u/id}", 1))
                .withMessage("unmatched '}' at index 5 of the path template /u/id}");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/u/{id}", ".."))
                .withMessage("the value of {id} must be a non-empty path segment other than '.' and '..' "
                        + "but it was '..'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/u/{id}", ""))
                .withMessage("the value of {id} must be a non-empty path segment other than '.' and '..' "
                        + "but it was ''");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("/a b/{id}", 1))
                .withMessageStartingWith("uri must be an encoded URI reference but it contains a space at index 2");
        assertThatNullPointerException()
                .isThrownBy(() -> client.get("/u/{id}", (Object) null))
                .withMessage("values");
        assertThatNullPointerException().isThrownBy(() -> client.get(null, 1)).withMessage("template");
        assertThatNullPointerException()
                .isThrownBy(() -> client.get("/u/{id}", (Object[]) null))
                .withMessage("values");
    }

    /** The plain form expects an encoded URI reference: a space or a line break is refused with a clear message. */
    @Test
    void plainUriMustBeEncoded() {
        PooledHttpClient client = clients.add(PooledHttpClient.create());
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("http://h/users/a b"))
                .withMessage("uri must be an encoded URI reference but it contains a space at index 16: "
                        + "http://h/users/a b (encode it, or use a path template: get(\"/items/{name}\", name))");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.post("http://h/x\r\nHost: evil"))
                .withMessageStartingWith("uri must be an encoded URI reference but it contains the control "
                        + "character U+000D at index 10");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> client.get("http://h/100%"))
                .withMessageStartingWith("uri must be an encoded URI reference but the '%' at index 12 does not "
                        + "start a %XX escape");
        assertThat(client.get("http://h/a%20b?q=%C3%A9").uri()).isEqualTo("http://h/a%20b?q=%C3%A9");
    }
}
