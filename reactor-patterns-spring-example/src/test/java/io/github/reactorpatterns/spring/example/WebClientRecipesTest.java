package io.github.reactorpatterns.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class WebClientRecipesTest {

    private final PartnerApi api = new PartnerApi();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theFilteredClientRetriesAndStaysUnderItsLimits() {
        WebClient partner = WebClientRecipes.partner(WebClient.builder(), api.partnerUrl());
        // the first call loads the codecs and opens the pool: outside the recipe's 5 s deadline on a loaded machine
        StepVerifier.create(partner.get().uri("/users/99").retrieve().bodyToMono(User.class))
                .expectNextCount(1)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        api.forget();

        // user 3 answers 503 + Retry-After: 1 once; the others after 50 ms
        StepVerifier.create(Flux.range(1, 12)
                        .filter(id -> id != 4 && id != 5)
                        .flatMap(id -> WebClientRecipes.user(partner, id)))
                .expectNextCount(10)
                .expectComplete()
                .verify(Duration.ofSeconds(15));

        assertThat(api.partner.maxConcurrentRequests()).isLessThanOrEqualTo(4);
        assertThat(api.userArrivals).hasSize(11); // ten users, one of them twice
        assertThat(api.deadlineHeaders.get("/users/1")).isNotNull();
        assertThat(WebClientRecipes.PARTNER_LIMIT.availablePermits()).isEqualTo(4);
    }
}
