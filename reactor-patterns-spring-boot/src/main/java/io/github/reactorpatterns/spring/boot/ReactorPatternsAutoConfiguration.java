package io.github.reactorpatterns.spring.boot;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.spring.boot.web.DeadlineWebFilter;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of reactor-patterns for Spring Boot: the beans that {@link ReactorPatternsProperties} name
 * (semaphores, token buckets, retry policies, HTTP clients and, with WebFlux, WebClients), a default
 * {@link BackgroundTasks}, the {@link ReactorPatternsShutdown} drain and, in a reactive web application, the
 * {@link DeadlineWebFilter}.
 *
 * <p>Every named bean is injected by type plus {@link ReactorPatterns @ReactorPatterns("name")} or
 * {@code @Qualifier("name")}; its bean name is {@code reactorPatterns.<kind>.<name>} (kinds: {@code semaphore},
 * {@code tokenBucket}, {@code retryPolicy}, {@code httpClient}, {@code webClient}). A reference from one entry to
 * another (an HTTP client's {@code rate-limit: partner-api}) finds the configured bean of that name, else an
 * application bean of that name, so a shared limit backed by Redis can be plugged in as a plain {@code @Bean}.
 */
@AutoConfiguration
@EnableConfigurationProperties(ReactorPatternsProperties.class)
public class ReactorPatternsAutoConfiguration {

    /** Creates the auto-configuration; Spring Boot does. */
    public ReactorPatternsAutoConfiguration() {}

    /**
     * Defines the named semaphores, token buckets, retry policies and HTTP clients of the properties.
     *
     * @return the registrar, a bean factory post-processor
     */
    @Bean
    static ReactorPatternsBeanRegistrar reactorPatternsBeanRegistrar() {
        return new ReactorPatternsBeanRegistrar();
    }

    /**
     * A registry for fire-and-forget work, drained on shutdown. Its {@code close()} is not its destroy method: the
     * drain has already run when Spring destroys beans.
     *
     * @return a registry that logs task failures
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "reactor-patterns.background-tasks.enabled", matchIfMissing = true)
    public BackgroundTasks backgroundTasks() {
        return BackgroundTasks.create();
    }

    /**
     * The shutdown drain of every {@code WorkQueue} and {@code BackgroundTasks} bean.
     *
     * @param beans the application's bean factory
     * @param properties the properties, for the grace period and phase
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public ReactorPatternsShutdown reactorPatternsShutdown(
            ListableBeanFactory beans, ReactorPatternsProperties properties) {
        return new ReactorPatternsShutdown(
                beans, properties.shutdown().grace(), properties.shutdown().phase());
    }

    /** Meters for the named beans and for every queue, task registry and HTTP client, with Micrometer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "io.github.reactorpatterns.micrometer.WorkQueueMetrics",
                "io.micrometer.core.instrument.binder.MeterBinder"
            })
    static class Metrics {

        @Bean
        io.micrometer.core.instrument.binder.MeterBinder reactorPatternsMeters(ListableBeanFactory beans) {
            return MetricsSupport.instances(beans);
        }
    }

    /** The WebClients of {@code reactor-patterns.web-clients}, when WebFlux's client is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.springframework.web.reactive.function.client.WebClient",
                "org.springframework.boot.webclient.WebClientCustomizer"
            })
    static class WebClients {

        @Bean
        static WebClientBeanRegistrar reactorPatternsWebClientRegistrar() {
            return new WebClientBeanRegistrar();
        }
    }

    /** The deadline header filter of a reactive web application. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnBooleanProperty(name = "reactor-patterns.deadline.enabled", matchIfMissing = true)
    static class ServerDeadline {

        @Bean
        @ConditionalOnMissingBean
        DeadlineWebFilter reactorPatternsDeadlineWebFilter(ReactorPatternsProperties properties) {
            ReactorPatternsProperties.DeadlineHeader deadline = properties.deadline();
            return new DeadlineWebFilter(deadline.header(), deadline.max(), deadline.defaultBudget());
        }
    }
}
