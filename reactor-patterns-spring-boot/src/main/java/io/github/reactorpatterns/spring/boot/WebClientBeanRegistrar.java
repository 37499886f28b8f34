package io.github.reactorpatterns.spring.boot;

import java.util.Objects;

import io.github.reactorpatterns.limit.PermitSource;
import io.github.reactorpatterns.limit.RateLimiter;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.github.reactorpatterns.spring.boot.web.ReactorPatternsWebClientCustomizer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Defines one {@code WebClient} bean per entry of {@code reactor-patterns.web-clients}, from Boot's
 * {@code WebClient.Builder} (so codecs, observation and every application {@code WebClientCustomizer} apply) plus the
 * reactor-patterns filters. For internal use only.
 */
final class WebClientBeanRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {

    static final String WEB_CLIENT = "webClient";

    private @Nullable Environment environment;

    WebClientBeanRegistrar() {}

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        ReactorPatternsProperties properties = NamedBeans.bind(Objects.requireNonNull(environment, "environment"));
        BeanFactory beans = (BeanFactory) registry;
        String header = properties.deadline().header();
        properties
                .webClients()
                .forEach((name, settings) -> NamedBeans.register(
                        registry, WEB_CLIENT, name, WebClient.class, () -> webClient(settings, header, beans), ""));
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        // every bean was defined in postProcessBeanDefinitionRegistry
    }

    static WebClient webClient(ReactorPatternsProperties.WebClient s, String header, BeanFactory beans) {
        WebClient.Builder builder =
                beans.getBeanProvider(WebClient.Builder.class).getIfAvailable(WebClient::builder);
        if (s.baseUrl() != null) {
            builder.baseUrl(s.baseUrl());
        }
        ReactorPatternsWebClientCustomizer.Builder filters = ReactorPatternsWebClientCustomizer.builder()
                .deadlineHeader(s.propagateDeadline() ? header : null)
                .retryStatuses(s.retryStatuses())
                .retryNonIdempotent(s.retryNonIdempotent());
        if (s.bulkhead() != null) {
            filters.bulkhead(NamedBeans.resolve(
                    beans, ReactorPatternsBeanRegistrar.SEMAPHORE, s.bulkhead(), PermitSource.class));
        }
        if (s.rateLimit() != null) {
            filters.rateLimit(NamedBeans.resolve(
                    beans, ReactorPatternsBeanRegistrar.TOKEN_BUCKET, s.rateLimit(), RateLimiter.class));
        }
        if (s.retry() != null) {
            filters.retry(NamedBeans.resolve(beans, ReactorPatternsBeanRegistrar.RETRY, s.retry(), RetryPolicy.class));
        }
        filters.build().customize(builder);
        return builder.build();
    }
}
