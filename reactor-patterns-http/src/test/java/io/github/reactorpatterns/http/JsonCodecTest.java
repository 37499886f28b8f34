package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** JSON through Jackson 2 and Jackson 3, each behind {@link JsonCodec}; every test runs with both. */
class JsonCodecTest {

    static final String FRESH = "{\"id\":1,\"name\":\"n\",\"tags\":[\"a\"],\"address\":{\"street\":\"s\","
            + "\"city\":{\"name\":\"c\",\"zip\":\"z\"}},\"orders\":[{\"id\":2,\"lines\":[{\"sku\":\"x\",\"qty\":3}]}],"
            + "\"extra\":{\"k\":{\"v\":1}}}";

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(routes -> routes.get(
                        "/fresh",
                        (req, res) ->
                                res.header("Content-Type", "application/json").sendString(Mono.just(FRESH)))
                .get("/user", (req, res) -> res.sendString(Mono.just("{\"name\":\"ada\",\"id\":7}")))
                .get("/users", (req, res) -> res.sendString(Mono.just("[{\"name\":\"a\",\"id\":1},{\"name\":\"b\"}]")))
                .get("/null", (req, res) -> res.sendString(Mono.just("null")))
                .get("/bad", (req, res) -> res.sendString(Mono.just("{\"name\":")))
                .get(
                        "/ndjson",
                        (req, res) ->
                                res.sendString(Flux.just("{\"name\":\"a\"}\n", "\n", "{\"name\":\"b\",\"id\":2}\n")))
                .post("/echo", (req, res) -> res.send(req.receive().retain()))
                .get("/pages", (req, res) -> {
                    String cursor = req.uri().contains("cursor=")
                            ? req.uri().substring(req.uri().indexOf('=') + 1)
                            : "";
                    String body = cursor.isEmpty()
                            ? "{\"users\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"next\":\"c2\"}"
                            : "{\"users\":[{\"name\":\"c\"}],\"next\":null}";
                    return res.sendString(Mono.just(body));
                })
                .get("/not-array", (req, res) -> res.sendString(Mono.just("{\"users\":{\"name\":\"a\"}}"))));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    static Stream<Arguments> codecs() {
        return Stream.of(
                Arguments.of("Jackson 2", (Supplier<JsonCodec>) Jackson2Codec::ofDefaults),
                Arguments.of("Jackson 3", (Supplier<JsonCodec>) Jackson3Codec::ofDefaults));
    }

    /**
     * Regression: the first concurrent {@code json(Type)} decodes of a type parked on Jackson's deserializer-cache
     * lock on the event loop (BlockHound failed 5 to 7 of 16). The reader is now resolved when {@code json(type)}
     * is called, on the caller's thread. Each round uses a new codec, so the type is fresh for its mapper.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void firstConcurrentDecodesOfAFreshTypeDoNotBlockTheEventLoop(String name, Supplier<JsonCodec> codec) {
        for (int round = 0; round < 5; round++) {
            PooledHttpClient client =
                    PooledHttpClient.builder().jsonCodec(codec.get()).build();
            try {
                StepVerifier.create(Flux.range(0, 16)
                                .flatMap(
                                        i -> client.get(server.url("/fresh"))
                                                .json(Customer.class)
                                                .cast(Object.class)
                                                .onErrorResume(e -> Mono.just(e)),
                                        16)
                                .collectList())
                        .assertNext(outcomes -> {
                            assertThat(outcomes).hasSize(16);
                            for (Object o : outcomes) {
                                assertThat(o).as("%s", o).isInstanceOf(Customer.class);
                                assertThat(((Customer) o).orders.get(0).lines.get(0).qty)
                                        .isEqualTo(3);
                            }
                        })
                        .expectComplete()
                        .verify(Duration.ofSeconds(30));
            } finally {
                client.dispose();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void readsClassesGenericTypesAndNull(String name, Supplier<JsonCodec> codec) {
        PooledHttpClient client =
                PooledHttpClient.builder().jsonCodec(codec.get()).build();
        try {
            StepVerifier.create(client.get(server.url("/user")).json(User.class))
                    .assertNext(u -> assertThat(u.name + u.id).isEqualTo("ada7"))
                    .verifyComplete();
            StepVerifier.create(client.get(server.url("/users")).json(new GenericType<List<Map<String, Object>>>() {}))
                    .assertNext(
                            l -> assertThat(l).extracting(m -> m.get("name")).containsExactly("a", "b"))
                    .verifyComplete();
            StepVerifier.create(client.get(server.url("/null")).json(User.class))
                    .verifyComplete();
            StepVerifier.create(
                            client.get(server.url("/ndjson")).ndjson(User.class).map(u -> u.name))
                    .expectNext("a", "b")
                    .verifyComplete();
        } finally {
            client.dispose();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void writesBodiesAndFailsWithTheLibrarysException(String name, Supplier<JsonCodec> codec) {
        PooledHttpClient client =
                PooledHttpClient.builder().jsonCodec(codec.get()).build();
        try {
            User u = new User();
            u.name = "grace";
            u.id = 3;
            StepVerifier.create(client.post(server.url("/echo")).jsonBody(u).json(User.class))
                    .assertNext(back -> assertThat(back.name + back.id).isEqualTo("grace3"))
                    .verifyComplete();
            Class<? extends Exception> expected = name.equals("Jackson 2")
                    ? com.fasterxml.jackson.core.JsonProcessingException.class
                    : tools.jackson.core.JacksonException.class;
            StepVerifier.create(client.get(server.url("/bad")).json(User.class))
                    .expectError(expected)
                    .verify(Duration.ofSeconds(10));
        } finally {
            client.dispose();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void paginatesWithCursors(String name, Supplier<JsonCodec> codec) {
        PooledHttpClient client =
                PooledHttpClient.builder().jsonCodec(codec.get()).build();
        try {
            StepVerifier.create(
                            client.paginate(client.get(server.url("/pages")), "cursor", "/users", "/next", User.class)
                                    .map(u -> u.name))
                    .expectNext("a", "b", "c")
                    .verifyComplete();
            StepVerifier.create(client.paginate(
                            client.get(server.url("/not-array")), "cursor", "/users", "/next", User.class))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessage("expected a JSON array at '/users' but found OBJECT in the response of GET "
                                    + server.url("/not-array")))
                    .verify(Duration.ofSeconds(10));
        } finally {
            client.dispose();
        }
    }

    /** Jackson 2 comes first when both are on the class path, so existing code keeps its behaviour. */
    @Test
    void ofClassPathPrefersJackson2() {
        assertThat(JsonCodec.ofClassPath()).isInstanceOf(Jackson2Codec.class);
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(Jackson2Codec.of(mapper).mapper()).isSameAs(mapper);
        tools.jackson.databind.json.JsonMapper jsonMapper =
                tools.jackson.databind.json.JsonMapper.builder().build();
        assertThat(Jackson3Codec.of(jsonMapper).mapper()).isSameAs(jsonMapper);
        assertThatNullPointerException()
                .isThrownBy(() -> Jackson2Codec.of(null))
                .withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> Jackson3Codec.of(null))
                .withMessage("mapper");
        assertThatNullPointerException()
                .isThrownBy(() -> PooledHttpClient.builder().jsonCodec(null))
                .withMessage("codec");
        assertThatNullPointerException()
                .isThrownBy(() -> Jackson3Codec.ofDefaults().reader(null))
                .withMessage("type");
    }

    /** Readers are cached per type, so a request does not resolve its type again. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void readersAreCachedPerType(String name, Supplier<JsonCodec> codec) {
        JsonCodec c = codec.get();
        assertThat(c.reader(User.class)).isSameAs(c.reader(User.class));
        assertThat(c.reader(new GenericType<List<User>>() {}.type()))
                .isSameAs(c.reader(new GenericType<List<User>>() {}.type()));
    }

    @Test
    @SuppressWarnings("rawtypes")
    void genericTypeNeedsATypeArgument() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new GenericType() {})
                .withMessage(
                        "GenericType must be created with a type argument, as in new GenericType<List<User>>() {}");
    }

    /** A plain bean. */
    public static final class User {
        public String name;
        public int id;
    }

    /** A type with nested types, so that resolving its deserializers takes a while. */
    public static final class Customer {
        public long id;
        public String name;
        public List<String> tags;
        public Address address;
        public List<Order> orders;
        public Map<String, Map<String, Integer>> extra;
    }

    /** Part of {@link Customer}. */
    public static final class Address {
        public String street;
        public City city;
    }

    /** Part of {@link Customer}. */
    public static final class City {
        public String name;
        public String zip;
    }

    /** Part of {@link Customer}. */
    public static final class Order {
        public long id;
        public List<Line> lines;
    }

    /** Part of {@link Customer}. */
    public static final class Line {
        public String sku;
        public int qty;
    }
}
