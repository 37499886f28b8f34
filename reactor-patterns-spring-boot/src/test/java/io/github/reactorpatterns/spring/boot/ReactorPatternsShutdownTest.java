package io.github.reactorpatterns.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.queue.WorkQueue;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class ReactorPatternsShutdownTest {

    /** What happened, in order, while the context closed. */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    static final AtomicInteger JOBS_DONE = new AtomicInteger();
    static final AtomicInteger TASKS_DONE = new AtomicInteger();
    static volatile Sinks.Empty<Void> WEB_SERVER_STOPPED = Sinks.empty();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ReactorPatternsAutoConfiguration.class))
            .withUserConfiguration(Work.class);

    /** Stands in for a lifecycle bean at a given phase (the web server's, ReactorResourceFactory's). */
    static final class Recorder implements SmartLifecycle {
        private final String name;
        private final int phase;
        private volatile boolean running;

        Recorder(String name, int phase) {
            this.name = name;
            this.phase = phase;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            EVENTS.add(name + " stopped"
                    + (phase == 0 ? " (jobs " + JOBS_DONE.get() + ", tasks " + TASKS_DONE.get() + ")" : ""));
            WEB_SERVER_STOPPED.tryEmitEmpty();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return phase;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Work {

        @Bean(destroyMethod = "")
        WorkQueue<Integer> jobs() {
            return WorkQueue.<Integer>builder()
                    .capacity(100)
                    .workers(2)
                    .handler(job -> Mono.delay(Duration.ofMillis(30)).doOnNext(tick -> JOBS_DONE.incrementAndGet()))
                    .build();
        }

        @Bean
        Recorder webServer() {
            // WebServerStartStopLifecycle's phase in Spring Boot 4
            return new Recorder("web server", SmartLifecycle.DEFAULT_PHASE - 2048);
        }

        @Bean
        Recorder resourceFactory() {
            // ReactorResourceFactory's phase: it disposes Reactor Netty's shared loops
            return new Recorder("resource factory", 0);
        }
    }

    @Test
    void inFlightTasksAndQueuedJobsFinishAfterTheServerAndBeforeTheSharedResources() {
        EVENTS.clear();
        JOBS_DONE.set(0);
        TASKS_DONE.set(0);
        WEB_SERVER_STOPPED = Sinks.empty();
        runner.withPropertyValues("reactor-patterns.shutdown.grace=10s").run(context -> {
            BackgroundTasks tasks = context.getBean(BackgroundTasks.class);
            @SuppressWarnings("unchecked")
            WorkQueue<Integer> jobs = context.getBean(WorkQueue.class);
            for (int i = 0; i < 5; i++) {
                tasks.spawn(Mono.delay(Duration.ofMillis(300)).doOnNext(tick -> TASKS_DONE.incrementAndGet()));
            }
            // ends only once the web server has stopped: were the drain to run first, it would wait out the 10 s grace
            tasks.spawn(WEB_SERVER_STOPPED.asMono().then(Mono.fromRunnable(TASKS_DONE::incrementAndGet)));
            for (int i = 0; i < 20; i++) {
                assertThat(jobs.offer(i)).isTrue();
            }
            ReactorPatternsShutdown shutdown = context.getBean(ReactorPatternsShutdown.class);
            long start = System.nanoTime();
            context.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(JOBS_DONE).hasValue(20);
            assertThat(TASKS_DONE).hasValue(6);
            assertThat(EVENTS).containsExactly("web server stopped", "resource factory stopped (jobs 20, tasks 6)");
            // 20 jobs of 30 ms on 2 workers take about 300 ms; the tasks ran alongside: no grace period waited out
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(shutdown.lastDrain()).isPositive().isLessThan(took);
        });
    }

    @Test
    void workPastTheGracePeriodIsCancelledAndTheContextStillCloses() {
        AtomicBoolean cancelled = new AtomicBoolean();
        runner.withPropertyValues("reactor-patterns.shutdown.grace=200ms").run(context -> {
            context.getBean(BackgroundTasks.class).spawn(Mono.never().doOnCancel(() -> cancelled.set(true)));
            long start = System.nanoTime();
            context.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(cancelled).isTrue();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(190)).isLessThan(Duration.ofSeconds(5));
        });
    }

    @Test
    void badArguments() {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        assertThatNullPointerException()
                .isThrownBy(() -> new ReactorPatternsShutdown(null, Duration.ZERO, 0))
                .withMessage("beans");
        assertThatNullPointerException()
                .isThrownBy(() -> new ReactorPatternsShutdown(beans, null, 0))
                .withMessage("grace");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ReactorPatternsShutdown(beans, Duration.ofMillis(-1), 0))
                .withMessage("grace >= 0 required but it was -1ms");
        assertThatNullPointerException()
                .isThrownBy(() -> new ReactorPatternsShutdown(beans, Duration.ZERO, 0).stop(null))
                .withMessage("callback");
    }
}
