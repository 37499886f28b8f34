package io.github.reactorpatterns.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.spring.boot.web.DeadlineWebFilter;
import io.github.reactorpatterns.test.MockHttpServer;
import io.github.reactorpatterns.test.MockResponse;
import io.github.reactorpatterns.test.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

class ReactorPatternsAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(ReactorPatternsAutoConfiguration.class, WebClientAutoConfiguration.class));

    @Configuration(proxyBeanMethods = false)
    static class Injected {

        final AsyncSemaphore semaphore;
        final AsyncSemaphore sameByQualifier;
        final TokenBucket bucket;
        final RetryPolicy retry;
        final PooledHttpClient http;
        final WebClient web;

        Injected(
                @ReactorPatterns("partner-api") AsyncSemaphore semaphore,
                @Qualifier("partner-api") AsyncSemaphore sameByQualifier,
                @ReactorPatterns("partner-api") TokenBucket bucket,
                @ReactorPatterns("partner-api") RetryPolicy retry,
                @ReactorPatterns("partner-api") PooledHttpClient http,
                @ReactorPatterns("partner-api") WebClient web) {
            this.semaphore = semaphore;
            this.sameByQualifier = sameByQualifier;
            this.bucket = bucket;
            this.retry = retry;
            this.http = http;
            this.web = web;
        }
    }

    @Test
    void everyNamedBeanIsInjectableByQualifierWithItsSettings() {
        runner.withUserConfiguration(Injected.class)
                .withPropertyValues(
                        "reactor-patterns.semaphores.partner-api.permits=7",
                        "reactor-patterns.semaphores.partner-api.max-waiters=100",
                        "reactor-patterns.semaphores.other.permits=2",
                        "reactor-patterns.token-buckets.partner-api.rate=50",
                        "reactor-patterns.token-buckets.partner-api.per=2s",
                        "reactor-patterns.token-buckets.partner-api.burst=5",
                        "reactor-patterns.retry-policies.partner-api.max-retries=4",
                        "reactor-patterns.retry-policies.partner-api.first-backoff=150ms",
                        "reactor-patterns.retry-policies.partner-api.max-retry-after=5s",
                        "reactor-patterns.retry-policies.partner-api.retry-on=java.io.IOException",
                        "reactor-patterns.retry-policies.partner-api.pause-on-retry-after=partner-api",
                        "reactor-patterns.http-clients.partner-api.base-url=http://127.0.0.1:1",
                        "reactor-patterns.http-clients.partner-api.max-connections=9",
                        "reactor-patterns.http-clients.partner-api.response-timeout=3s",
                        "reactor-patterns.http-clients.partner-api.default-headers.X-Api-Key=secret",
                        "reactor-patterns.http-clients.partner-api.concurrency-limit=partner-api",
                        "reactor-patterns.http-clients.partner-api.rate-limit=partner-api",
                        "reactor-patterns.http-clients.partner-api.retry=partner-api",
                        "reactor-patterns.web-clients.partner-api.base-url=http://127.0.0.1:1",
                        "reactor-patterns.web-clients.partner-api.bulkhead=partner-api")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Injected injected = context.getBean(Injected.class);
                    assertThat(injected.semaphore.permits()).isEqualTo(7);
                    assertThat(injected.sameByQualifier).isSameAs(injected.semaphore);
                    assertThat(context.getBean("reactorPatterns.semaphore.other", AsyncSemaphore.class)
                                    .permits())
                            .isEqualTo(2);
                    assertThat(injected.bucket.burst()).isEqualTo(5);
                    assertThat(injected.retry.toString()).contains("maxRetries=4", "firstBackoff=150ms");
                    assertThat(injected.http.baseUrl()).isEqualTo("http://127.0.0.1:1");
                    assertThat(injected.web).isNotNull();
                });
    }

    @Test
    void anHttpClientSendsItsDefaultHeadersUnderItsConfiguredLimit() {
        try (MockHttpServer server = MockHttpServer.start()) {
            server.defaultResponse(MockResponse.builder()
                    .status(200)
                    .body("ok")
                    .headersDelay(Duration.ofMillis(50))
                    .build());
            runner.withPropertyValues(
                            "reactor-patterns.semaphores.api.permits=2",
                            "reactor-patterns.http-clients.api.base-url=" + server.url("/"),
                            "reactor-patterns.http-clients.api.default-headers.X-Api-Key=secret",
                            "reactor-patterns.http-clients.api.concurrency-limit=api")
                    .run(context -> {
                        PooledHttpClient client = context.getBean(PooledHttpClient.class);
                        StepVerifier.create(Flux.range(0, 8)
                                        .flatMap(i -> client.get("/n/" + i).text()))
                                .expectNextCount(8)
                                .expectComplete()
                                .verify(Duration.ofSeconds(10));
                        assertThat(server.maxConcurrentRequests()).isEqualTo(2);
                        RecordedRequest request = server.takeRequest(Duration.ofSeconds(1));
                        assertThat(request).isNotNull();
                        assertThat(request.header("X-Api-Key")).isEqualTo("secret");
                    });
        }
    }

    /** A JSON shape for the mapper test. */
    record Person(int id, String name) {}

    @Configuration(proxyBeanMethods = false)
    static class CaseInsensitiveJson {
        @Bean
        JsonMapper jsonMapper() {
            return JsonMapper.builder()
                    .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                    .build();
        }
    }

    @Test
    void anHttpClientDecodesWithTheApplicationsJsonMapper() {
        try (MockHttpServer server = MockHttpServer.start()) {
            server.defaultResponse(MockResponse.builder()
                    .jsonBody("{\"ID\":7,\"NAME\":\"Ada\"}")
                    .build());
            runner.withUserConfiguration(CaseInsensitiveJson.class)
                    .withPropertyValues("reactor-patterns.http-clients.api.base-url=" + server.url("/"))
                    .run(context -> StepVerifier.create(context.getBean(PooledHttpClient.class)
                                    .get("/p")
                                    .json(Person.class))
                            .expectNext(new Person(7, "Ada"))
                            .expectComplete()
                            .verify(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aReferenceFindsAnApplicationBeanOfThatName() {
        runner.withUserConfiguration(SharedLimit.class)
                .withPropertyValues("reactor-patterns.http-clients.api.concurrency-limit=fleetLimit")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean("reactorPatterns.httpClient.api"))
                            .isInstanceOf(PooledHttpClient.class);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class SharedLimit {
        @Bean
        AsyncSemaphore fleetLimit() {
            return AsyncSemaphore.of(3);
        }
    }

    @Test
    void aBadSettingFailsStartupWithTheBuildersMessage() {
        runner.withPropertyValues("reactor-patterns.semaphores.bad.permits=0").run(context -> {
            // the bean is created at startup (singletons are eager), so the context fails
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("permits > 0 required but it was 0");
        });
    }

    @Test
    void aDefaultBackgroundTasksAndTheShutdownLifecycleExist() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(BackgroundTasks.class);
            ReactorPatternsShutdown shutdown = context.getBean(ReactorPatternsShutdown.class);
            assertThat(shutdown.getPhase()).isEqualTo(ReactorPatternsShutdown.DEFAULT_PHASE);
            assertThat(shutdown.grace()).hasSeconds(30);
            assertThat(context).doesNotHaveBean(DeadlineWebFilter.class);
        });
        runner.withPropertyValues(
                        "reactor-patterns.background-tasks.enabled=false",
                        "reactor-patterns.shutdown.grace=5s",
                        "reactor-patterns.shutdown.phase=100")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(BackgroundTasks.class);
                    ReactorPatternsShutdown shutdown = context.getBean(ReactorPatternsShutdown.class);
                    assertThat(shutdown.getPhase()).isEqualTo(100);
                    assertThat(shutdown.grace()).hasSeconds(5);
                });
    }

    @Test
    void theDefaultBackgroundTasksIsNotCancelledByAnInferredClose() {
        runner.run(context -> {
            BackgroundTasks tasks = context.getBean(BackgroundTasks.class);
            assertThat(((AbstractBeanDefinition) context.getBeanFactory().getMergedBeanDefinition("backgroundTasks"))
                            .getDestroyMethodName())
                    .isNullOrEmpty();
            assertThat(tasks.active()).isZero();
        });
    }

    @Test
    void aReactiveWebApplicationGetsTheDeadlineFilter() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReactorPatternsAutoConfiguration.class))
                .withPropertyValues("reactor-patterns.deadline.max=3s", "reactor-patterns.deadline.header=X-Budget")
                .run(context -> assertThat(
                                context.getBean(DeadlineWebFilter.class).toString())
                        .isEqualTo("DeadlineWebFilter[header=X-Budget, max=3000ms, defaultBudget=none]"));
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReactorPatternsAutoConfiguration.class))
                .withPropertyValues("reactor-patterns.deadline.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DeadlineWebFilter.class));
    }
}
