package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class MockResponseTest {

    @Test
    void defaultsAre200EmptyNoDelayNoFault() {
        MockResponse response = MockResponse.builder().build();

        assertThat(response.status()).isEqualTo(MockResponse.DEFAULT_STATUS).isEqualTo(200);
        assertThat(response.headers()).isEmpty();
        assertThat(response.body()).isEmpty();
        assertThat(response.headersDelay()).isZero();
        assertThat(response.bodyDelay()).isZero();
        assertThat(response.fault()).isEqualTo(MockResponse.Fault.NONE);
    }

    @Test
    void builderIsReusableAndBuildCopies() {
        MockResponse.Builder builder =
                MockResponse.builder().status(201).header("X-A", "1").body("one");
        MockResponse first = builder.build();
        builder.header("x-a", "2").body("two");
        MockResponse second = builder.build();

        assertThat(first.headers()).containsExactly(java.util.Map.entry("x-a", List.of("1")));
        assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(second.headers().get("x-a")).containsExactly("1", "2");
        assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("two");
    }

    @Test
    void bodyArrayIsCopiedInAndOut() {
        byte[] bytes = {1, 2, 3};
        MockResponse response = MockResponse.builder().body(bytes).build();
        bytes[0] = 9;
        response.body()[1] = 9;

        assertThat(response.body()).containsExactly(1, 2, 3);
    }

    @Test
    void jsonBodySetsContentType() {
        MockResponse response = MockResponse.builder().jsonBody("{}").build();

        assertThat(response.headers().get("content-type")).containsExactly("application/json");
        assertThat(response.body()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void setHeaderReplacesValues() {
        MockResponse response = MockResponse.builder()
                .header("A", "1")
                .header("a", "2")
                .setHeader("A", "3")
                .build();

        assertThat(response.headers().get("a")).containsExactly("3");
    }

    @Test
    void chunkedLinesBodyIsTheLinesWithTerminators() {
        MockResponse response = MockResponse.builder()
                .chunkedLines(List.of("a", "b"), Duration.ZERO)
                .build();

        assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("a\nb\n");
    }

    @Test
    void toBuilderCopiesEverything() {
        MockResponse original = MockResponse.builder()
                .status(503)
                .header("Retry-After", "1")
                .body("x")
                .headersDelay(Duration.ofMillis(5))
                .bodyDelay(Duration.ofMillis(6))
                .resetConnection()
                .build();
        MockResponse copy = original.toBuilder().build();

        assertThat(copy.status()).isEqualTo(503);
        assertThat(copy.headers()).isEqualTo(original.headers());
        assertThat(copy.body()).isEqualTo(original.body());
        assertThat(copy.headersDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(copy.bodyDelay()).isEqualTo(Duration.ofMillis(6));
        assertThat(copy.fault()).isEqualTo(MockResponse.Fault.RESET_CONNECTION);
        assertThat(copy.toString()).contains("503", "RESET_CONNECTION");
    }

    @Test
    void lastFaultWins() {
        assertThat(MockResponse.builder().noResponse().malformed().build().fault())
                .isEqualTo(MockResponse.Fault.MALFORMED);
        assertThat(MockResponse.builder().disconnectBeforeResponse().build().fault())
                .isEqualTo(MockResponse.Fault.DISCONNECT_BEFORE_RESPONSE);
        assertThat(MockResponse.builder().disconnectDuringBody(3).build().fault())
                .isEqualTo(MockResponse.Fault.DISCONNECT_DURING_BODY);
    }

    @Test
    void badArgumentsFailAtOnce() {
        MockResponse.Builder b = MockResponse.builder();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.status(99))
                .withMessage("status between 100 and 999 required but it was 99");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.status(1000))
                .withMessage("status between 100 and 999 required but it was 1000");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.headersDelay(Duration.ofMillis(-1)))
                .withMessage("headersDelay >= 0 required but it was PT-0.001S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.bodyDelay(Duration.ofSeconds(-1)))
                .withMessage("bodyDelay >= 0 required but it was PT-1S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.throttle(0, Duration.ZERO))
                .withMessage("bytes > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.throttle(1, Duration.ofSeconds(-1)))
                .withMessage("period >= 0 required but it was PT-1S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.chunkedLines(List.of(), Duration.ofSeconds(-1)))
                .withMessage("between >= 0 required but it was PT-1S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> b.disconnectDuringBody(-1))
                .withMessage("afterBytes >= 0 required but it was -1");
        assertThatNullPointerException().isThrownBy(() -> b.header(null, "v")).withMessage("name");
        assertThatNullPointerException().isThrownBy(() -> b.header("n", null)).withMessage("value");
        assertThatNullPointerException().isThrownBy(() -> b.body((String) null)).withMessage("text");
        assertThatNullPointerException().isThrownBy(() -> b.body((byte[]) null)).withMessage("bytes");
        assertThatNullPointerException().isThrownBy(() -> b.jsonBody(null)).withMessage("json");
        assertThatNullPointerException().isThrownBy(() -> b.headersDelay(null)).withMessage("headersDelay");
        assertThatNullPointerException().isThrownBy(() -> b.throttle(1, null)).withMessage("period");
        assertThatNullPointerException()
                .isThrownBy(() -> b.chunkedLines(null, Duration.ZERO))
                .withMessage("lines");
        assertThatNullPointerException()
                .isThrownBy(() -> b.chunkedLines(java.util.Arrays.asList("a", null), Duration.ZERO))
                .withMessage("lines contains null");
    }
}
