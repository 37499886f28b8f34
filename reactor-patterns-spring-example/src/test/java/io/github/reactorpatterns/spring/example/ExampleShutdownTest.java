package io.github.reactorpatterns.spring.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The application as it runs in production (not under {@code @SpringBootTest}, which switches Reactor Netty's global
 * resources off): closing the context must let the in-flight notifications and the queued jobs finish before Spring's
 * {@code ReactorResourceFactory} disposes the global event loops and connection pools they use.
 */
class ExampleShutdownTest {

    private final PartnerApi api = new PartnerApi();

    @AfterEach
    void stopPartner() {
        api.close();
    }

    @Test
    void closingTheContextFinishesInFlightNotificationsAndQueuedJobs() {
        // long enough that the work is still in flight when the context closes, even on a loaded machine
        api.notifyDelay = Duration.ofSeconds(3);
        api.processDelay = Duration.ofMillis(300);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ExampleApplication.class)
                .run(
                        "--server.port=0",
                        "--partner.base-url=" + api.partnerUrl(),
                        "--notifications.base-url=" + api.notifyUrl(),
                        "--reactor-patterns.shutdown.grace=20s");
        Stats stats = context.getBean(Stats.class);
        WebClient app =
                WebClient.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));

        StepVerifier.create(Flux.range(0, 20)
                        .concatMap(i -> app.post()
                                .uri("/jobs")
                                .bodyValue(new Job(i, "job-" + i))
                                .retrieve()
                                .toBodilessEntity()))
                .thenConsumeWhile(response -> response.getStatusCode() == HttpStatus.ACCEPTED)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(Flux.range(0, 5)
                        .concatMap(i -> app.post()
                                .uri("/orders")
                                .bodyValue(new NewOrder("item-" + i, 1))
                                .retrieve()
                                .toBodilessEntity()))
                .expectNextCount(5)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        // every notification is at the notification service, waiting for its 3 s answer
        await().atMost(Duration.ofSeconds(5)).until(() -> api.notified.get() == 5);
        int jobsDoneBeforeClose = stats.jobsDone.get();
        int notificationsSentBeforeClose = stats.notificationsSent.get();

        long start = System.nanoTime();
        context.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - start);

        System.out.printf(
                "shutdown: context closed in %d ms; before close %d/20 jobs done and %d/5 notifications"
                        + " sent, after close %d and %d (failed: %d jobs, %d notifications)%n",
                closing.toMillis(),
                jobsDoneBeforeClose,
                notificationsSentBeforeClose,
                stats.jobsDone.get(),
                stats.notificationsSent.get(),
                stats.jobsFailed.get(),
                stats.notificationsFailed.get());
        assertThat(notificationsSentBeforeClose).isLessThan(5);
        assertThat(jobsDoneBeforeClose).isLessThan(20);
        assertThat(stats.notificationsSent).hasValue(5);
        assertThat(stats.notificationsFailed).hasValue(0);
        assertThat(stats.jobsDone).hasValue(20);
        assertThat(stats.jobsFailed).hasValue(0);
        assertThat(api.processed).hasValue(20);
        assertThat(closing).isLessThan(Duration.ofSeconds(15));
        // the mock servers run on event loops of their own: closing the application did not stop them
        StepVerifier.create(WebClient.create(api.partnerUrl())
                        .get()
                        .uri("/process/after-close")
                        .retrieve()
                        .bodyToMono(String.class))
                .expectNext("done")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }
}
