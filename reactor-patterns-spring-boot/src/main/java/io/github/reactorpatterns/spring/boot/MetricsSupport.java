package io.github.reactorpatterns.spring.boot;

import java.util.Map;

import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import io.github.reactorpatterns.micrometer.AsyncSemaphoreMetrics;
import io.github.reactorpatterns.micrometer.BackgroundTasksMetrics;
import io.github.reactorpatterns.micrometer.PooledHttpClientMetrics;
import io.github.reactorpatterns.micrometer.RetryPolicyMetrics;
import io.github.reactorpatterns.micrometer.TokenBucketMetrics;
import io.github.reactorpatterns.micrometer.WorkQueueMetrics;
import io.github.reactorpatterns.queue.WorkQueue;
import io.github.reactorpatterns.retry.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;

/**
 * The Micrometer side of the registrar, loaded only when reactor-patterns-micrometer is on the class path. Each named
 * semaphore, bucket and policy is built through its binder, which is a {@link MeterBinder} bean that Spring Boot
 * binds to the application's {@code MeterRegistry}; queues, background task registries and HTTP clients are bound
 * by one binder that finds them at binding time. For internal use only.
 */
final class MetricsSupport {

    static final boolean PRESENT = isPresent("io.github.reactorpatterns.micrometer.AsyncSemaphoreMetrics")
            && isPresent("io.micrometer.core.instrument.binder.MeterBinder");

    private MetricsSupport() {}

    private static boolean isPresent(String className) {
        return org.springframework.util.ClassUtils.isPresent(className, MetricsSupport.class.getClassLoader());
    }

    static AsyncSemaphore semaphore(BeanDefinitionRegistry registry, String name, AsyncSemaphore.Builder builder) {
        AsyncSemaphoreMetrics metrics = AsyncSemaphoreMetrics.create(name, builder);
        registerBinder(registry, "semaphoreMetrics", name, metrics);
        return metrics.semaphore();
    }

    static TokenBucket tokenBucket(BeanDefinitionRegistry registry, String name, TokenBucket.Builder builder) {
        TokenBucketMetrics metrics = TokenBucketMetrics.create(name, builder);
        registerBinder(registry, "tokenBucketMetrics", name, metrics);
        return metrics.bucket();
    }

    static RetryPolicy.Builder retryPolicy(BeanDefinitionRegistry registry, String name, RetryPolicy.Builder builder) {
        RetryPolicyMetrics metrics = RetryPolicyMetrics.of(name);
        registerBinder(registry, "retryPolicyMetrics", name, metrics);
        return metrics.instrument(builder);
    }

    private static void registerBinder(BeanDefinitionRegistry registry, String kind, String name, MeterBinder binder) {
        // a singleton registered while its owner is created: Boot binds every MeterBinder bean to its registry
        ((org.springframework.beans.factory.config.ConfigurableListableBeanFactory) registry)
                .registerSingleton(NamedBeans.beanName(kind, name), binder);
    }

    /** Binds every {@code WorkQueue}, {@code BackgroundTasks} and {@code PooledHttpClient} bean, by name. */
    static MeterBinder instances(ListableBeanFactory beans) {
        return new MeterBinder() {
            @Override
            @SuppressWarnings("rawtypes")
            public void bindTo(MeterRegistry registry) {
                Map<String, WorkQueue> queues = beans.getBeansOfType(WorkQueue.class, false, false);
                queues.forEach(
                        (bean, queue) -> WorkQueueMetrics.of(name(bean), queue).bindTo(registry));
                beans.getBeansOfType(BackgroundTasks.class, false, false)
                        .forEach((bean, tasks) ->
                                BackgroundTasksMetrics.of(name(bean), tasks).bindTo(registry));
                beans.getBeansOfType(PooledHttpClient.class, false, false)
                        .forEach((bean, client) ->
                                PooledHttpClientMetrics.of(name(bean), client).bindTo(registry));
            }

            @Override
            public String toString() {
                return "reactor-patterns meters of the WorkQueue, BackgroundTasks and PooledHttpClient beans";
            }
        };
    }

    /** The configured name of a bean the properties define, else its bean name. */
    private static String name(String beanName) {
        String prefix = "reactorPatterns.";
        if (beanName.startsWith(prefix)) {
            int dot = beanName.indexOf('.', prefix.length());
            return dot < 0 ? beanName : beanName.substring(dot + 1);
        }
        return beanName;
    }
}
