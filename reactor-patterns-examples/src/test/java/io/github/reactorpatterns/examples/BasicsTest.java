package io.github.reactorpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class BasicsTest {

    @Test
    void fetchDataTakesOneVirtualSecond() {
        StepVerifier.withVirtualTime(() -> Basics.fetchData("https://api.example.com"))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(map -> assertThat(map).containsEntry("url", "https://api.example.com"))
                .verifyComplete();
    }

    @Test
    void fetchAllDataRunsConcurrently() {
        StepVerifier.withVirtualTime(() -> Basics.fetchAllData(
                        Mono.delay(Duration.ofSeconds(1)).thenReturn(List.of("u")),
                        Mono.delay(Duration.ofSeconds(1)).thenReturn(List.of("o")),
                        Mono.delay(Duration.ofSeconds(1)).thenReturn(List.of("p"))))
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(t -> assertThat(List.of(t.getT1(), t.getT2(), t.getT3()))
                        .containsExactly(List.of("u"), List.of("o"), List.of("p")))
                .verifyComplete();
    }

    @Test
    void fetchAllDataCancelsTheOthersOnFirstError() {
        PublisherProbe<List<String>> users = PublisherProbe.of(Mono.never());
        PublisherProbe<List<String>> orders = PublisherProbe.of(Mono.never());
        StepVerifier.withVirtualTime(() -> Basics.fetchAllData(
                        users.mono(),
                        orders.mono(),
                        Mono.delay(Duration.ofSeconds(1)).then(Mono.error(new IllegalStateException("products down")))))
                .thenAwait(Duration.ofSeconds(1))
                .verifyErrorMessage("products down");
        users.assertWasCancelled();
        orders.assertWasCancelled();
    }

    @Test
    void fetchWithErrorsSettlesEveryTask() {
        StepVerifier.create(Basics.fetchWithErrors(
                        Mono.just(List.of("u")),
                        Mono.error(new IllegalStateException("orders down")),
                        Mono.just(List.of("p"))))
                .assertNext(t -> {
                    assertThat(t.getT1().value()).contains(List.of("u"));
                    assertThat(t.getT2().error())
                            .get()
                            .extracting(Throwable::getMessage)
                            .isEqualTo("orders down");
                    assertThat(t.getT3().isSuccess()).isTrue();
                })
                .verifyComplete();
    }
}
