package io.github.reactorpatterns.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test a fresh {@link MockHttpServer} as a parameter and closes it after the test.
 *
 * <pre>{@code
 * @MockHttpServerTest
 * class UserClientTest {
 *     @Test
 *     void readsUser(MockHttpServer server) {
 *         server.enqueue(MockResponse.builder().jsonBody("{\"id\":1}").build());
 *         StepVerifier.create(new UserClient(server.url("/")).user(1))
 *                 .expectNextMatches(u -> u.id() == 1)
 *                 .verifyComplete();
 *     }
 * }
 * }</pre>
 *
 * Put it on a test class or on single test methods. A {@code @BeforeEach} or {@code @AfterEach} method that declares
 * a {@code MockHttpServer} parameter gets the same server as the test; a constructor or {@code @BeforeAll} parameter
 * gets one server for the whole class, closed after it. Registers {@link MockHttpServerExtension}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(MockHttpServerExtension.class)
public @interface MockHttpServerTest {

    /**
     * Whether to start the server with TLS ({@link MockHttpServer#startTls()}) instead of plain text
     * ({@link MockHttpServer#start()}). The annotation nearest to the test (method before class) decides.
     *
     * @return true for a TLS server; false by default
     */
    boolean tls() default false;
}
