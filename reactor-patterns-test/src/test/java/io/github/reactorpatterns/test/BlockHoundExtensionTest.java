package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@ExtendWith(BlockHoundExtension.class)
class BlockHoundExtensionTest {

    @Test
    void sleepOnParallelThreadIsCaught() {
        Mono<String> blocking = Mono.fromCallable(() -> {
            Thread.sleep(1); // deliberate: this is the blocking call BlockHound must catch
            return "slept";
        }).subscribeOn(Schedulers.parallel());

        StepVerifier.create(blocking)
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(BlockingOperationError.class)
                        .hasMessageContaining("java.lang.Thread.sleep"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void sleepOnBoundedElasticIsAllowed() {
        Mono<String> blocking = Mono.fromCallable(() -> {
            Thread.sleep(1);
            return "slept";
        }).subscribeOn(Schedulers.boundedElastic());

        StepVerifier.create(blocking).expectNext("slept").verifyComplete();
    }

    @Test
    void installIsIdempotent() {
        BlockHoundExtension.install();
        BlockHoundExtension.install();
    }
}
