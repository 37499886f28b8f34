package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.List;

import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import reactor.test.StepVerifier;

/**
 * Runs in a Surefire execution of its own ({@code jackson3-only}) whose class path has Jackson 3 but not Jackson 2's
 * databind: what a Spring Boot 4 application without Jackson 2 sees.
 */
@EnabledIfSystemProperty(
        named = "reactorpatterns.jackson3only",
        matches = "true",
        disabledReason = "runs in the jackson3-only Surefire execution, whose class path lacks Jackson 2")
class Jackson3OnlyTest {

    /** Generous: the first request of a cold JVM on a loaded machine (JSON codec and Netty start-up) took > 10 s. */
    private static final Duration VERIFY = Duration.ofSeconds(30);

    @Test
    void jackson2IsAbsentHere() {
        assertThatExceptionOfType(ClassNotFoundException.class)
                .isThrownBy(() -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"));
    }

    @Test
    void theDefaultCodecIsJackson3AndTheClientWorks() {
        assertThat(JsonCodec.ofClassPath()).isInstanceOf(Jackson3Codec.class);
        // Frameworks introspect the client (Spring scans bean classes): no Jackson 2 type may show up in it.
        assertThatCode(() -> {
                    PooledHttpClient.class.getDeclaredFields();
                    PooledHttpClient.class.getDeclaredMethods();
                    HttpRequestSpec.class.getDeclaredMethods();
                    HttpRequestSpec.class.getDeclaredFields();
                })
                .doesNotThrowAnyException();
        try (MockHttpServer server = MockHttpServer.start()) {
            server.dispatcher(r -> r.path().equals("/echo")
                    ? MockResponse.builder().jsonBody(r.bodyUtf8()).build()
                    : MockResponse.builder()
                            .jsonBody("{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}")
                            .build());
            PooledHttpClient client = PooledHttpClient.create();
            try {
                JsonCodecTest.User u = new JsonCodecTest.User();
                u.name = "x";
                StepVerifier.create(client.post(server.url("/echo").toString())
                                .jsonBody(u)
                                .json(JsonCodecTest.User.class)
                                .map(back -> back.name))
                        .expectNext("x")
                        .expectComplete()
                        .verify(VERIFY);
                StepVerifier.create(client.paginate(
                                        client.get(server.url("/p").toString()),
                                        "c",
                                        "/items",
                                        "/next",
                                        JsonCodecTest.User.class)
                                .map(v -> v.name)
                                .collectList())
                        .expectNext(List.of("a", "b"))
                        .expectComplete()
                        .verify(VERIFY);
            } finally {
                client.dispose();
            }
        }
    }
}
