package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

@MockHttpServerTest
class MockHttpServerExtensionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private MockHttpServer fromBeforeEach;

    @BeforeEach
    void script(MockHttpServer server) {
        fromBeforeEach = server;
        server.enqueue(MockResponse.of(200, "hello"));
    }

    @Test
    void injectsARunningServerSharedWithBeforeEach(MockHttpServer server) {
        assertThat(server).isSameAs(fromBeforeEach);
        assertThat(server.isTls()).isFalse();

        Mono<String> body = HttpClient.create().get().uri(server.url("/hi")).responseSingle((res, b) -> b.asString());
        StepVerifier.create(body).expectNext("hello").expectComplete().verify(TIMEOUT);
        assertThat(server.takeRequest(Duration.ofSeconds(5)).path()).isEqualTo("/hi");
    }

    @Test
    @MockHttpServerTest(tls = true)
    void methodAnnotationCanAskForTls(MockHttpServer server) {
        assertThat(server.isTls()).isTrue();
        assertThat(server.url("/").getScheme()).isEqualTo("https");
    }

    @Test
    void eachTestGetsItsOwnServerClosedAfterwards() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(TwoTests.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(2));

        assertThat(TwoTests.SEEN).hasSize(2);
        assertThat(TwoTests.SEEN.get(0)).isNotSameAs(TwoTests.SEEN.get(1));
        assertThat(TwoTests.SEEN.get(0).port())
                .isNotEqualTo(TwoTests.SEEN.get(1).port());
        for (MockHttpServer server : TwoTests.SEEN) {
            // closed: a request now fails to connect
            StepVerifier.create(HttpClient.create().get().uri(server.url("/")).response())
                    .expectError()
                    .verify(Duration.ofSeconds(10));
        }
    }

    @AfterEach
    void afterEachSeesTheSameServer(MockHttpServer server) {
        assertThat(server).isSameAs(fromBeforeEach);
    }

    /** Run only through EngineTestKit (Surefire skips nested classes). */
    @MockHttpServerTest
    static class TwoTests {
        static final List<MockHttpServer> SEEN = new ArrayList<>();

        @Test
        void first(MockHttpServer server) {
            SEEN.add(server);
        }

        @Test
        void second(MockHttpServer server) {
            SEEN.add(server);
        }
    }
}
