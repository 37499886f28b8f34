package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

@ExtendWith(BlockHoundExtension.class)
class PeriodicTaskBlockHoundIntegrationTest {

    @Test
    void isFoundByTheServiceLoaderThatBlockHoundUses() {
        assertThat(ServiceLoader.load(BlockHoundIntegration.class))
                .anyMatch(i -> i instanceof PeriodicTaskBlockHoundIntegration);
    }

    @Test
    void namesClassesAndMethodsThatExistInThisReactorCore() throws Exception {
        for (String task : PeriodicTaskBlockHoundIntegration.PERIODIC_TASKS) {
            assertThat(Class.forName(task).getMethod("dispose")).as(task).isNotNull();
        }
    }

    @Test
    void rejectsANullBuilder() {
        assertThatNullPointerException()
                .isThrownBy(() -> new PeriodicTaskBlockHoundIntegration().applyTo(null))
                .withMessage("builder");
    }

    /**
     * Periodic timers cancelled from non-blocking threads contend for the scheduler's delay-queue lock. Without the
     * integration BlockHound throws from inside that lock's wait queue (reported here as the error), and a waiter
     * that leaves a lock's queue that way can leave the lock unobtainable for good: the scheduler's timers stop.
     */
    @Test
    void periodicTimersCancelledFromManyNonBlockingThreadsKeepTheSchedulerWorking() {
        Scheduler scheduler = Schedulers.newParallel("timers", 4);
        try {
            for (int round = 0; round < 5; round++) {
                Long cancelled = Flux.range(0, 20_000)
                        .parallel(4)
                        .runOn(Schedulers.parallel())
                        .doOnNext(i -> Flux.interval(Duration.ofHours(1), scheduler)
                                .subscribe()
                                .dispose())
                        .sequential()
                        .count()
                        .block(Duration.ofSeconds(60));
                assertThat(cancelled).isEqualTo(20_000);
            }
            assertThat(Mono.delay(Duration.ofMillis(1), scheduler).block(Duration.ofSeconds(10)))
                    .isZero();
        } finally {
            scheduler.dispose();
        }
    }
}
