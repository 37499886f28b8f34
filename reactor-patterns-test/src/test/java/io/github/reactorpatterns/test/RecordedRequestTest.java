package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RecordedRequestTest {

    @Test
    void splitsTargetIntoPathAndQuery() {
        RecordedRequest r =
                new RecordedRequest("GET", "/items?cursor=a%2Bb&n=1&n=2", Map.of(), new byte[0], "HTTP/1.1", 3);

        assertThat(r.path()).isEqualTo("/items");
        assertThat(r.query()).isEqualTo("cursor=a%2Bb&n=1&n=2");
        assertThat(r.queryParameter("cursor")).isEqualTo("a+b");
        assertThat(r.queryParameter("n")).isEqualTo("1");
        assertThat(r.target()).isEqualTo("/items?cursor=a%2Bb&n=1&n=2");
        assertThat(r.sequenceNumber()).isEqualTo(3);
        assertThat(r.toString()).isEqualTo("GET /items?cursor=a%2Bb&n=1&n=2 HTTP/1.1 (0 body bytes)");
    }

    @Test
    void noQueryMeansNullQuery() {
        RecordedRequest r = new RecordedRequest("GET", "/items", Map.of(), new byte[0], "HTTP/1.1", 0);

        assertThat(r.query()).isNull();
        assertThat(r.queryParameter("a")).isNull();
    }

    @Test
    void headersAreCaseInsensitiveAndMerged() {
        RecordedRequest r = new RecordedRequest(
                "POST",
                "/",
                Map.of("X-A", List.of("1"), "x-a", List.of("2")),
                "body".getBytes(StandardCharsets.UTF_8),
                "HTTP/2.0",
                0);

        assertThat(r.headers().get("x-a")).containsExactlyInAnyOrder("1", "2");
        assertThat(r.header("X-A")).isIn("1", "2");
        assertThat(r.header("missing")).isNull();
        assertThat(r.bodyUtf8()).isEqualTo("body");
        assertThat(r.body()).isEqualTo("body".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> new RecordedRequest(null, "/", Map.of(), new byte[0], "HTTP/1.1", 0))
                .withMessage("method");
        assertThatNullPointerException()
                .isThrownBy(() -> new RecordedRequest("GET", null, Map.of(), new byte[0], "HTTP/1.1", 0))
                .withMessage("target");
        RecordedRequest r = new RecordedRequest("GET", "/", Map.of(), new byte[0], "HTTP/1.1", 0);
        assertThatNullPointerException().isThrownBy(() -> r.header(null)).withMessage("name");
        assertThatNullPointerException()
                .isThrownBy(() -> r.queryParameter(null))
                .withMessage("name");
    }
}
