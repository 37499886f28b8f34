package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
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
                })
                .subscribeOn(Schedulers.parallel());

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
                })
                .subscribeOn(Schedulers.boundedElastic());

        StepVerifier.create(blocking).expectNext("slept").verifyComplete();
    }

    @Test
    void testThatBlocksOnParallelThreadFails() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(SleepsOnParallel.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("sleeps"),
                                finishedWithFailure(message(m ->
                                        m.contains("BlockingOperationError: Blocking call! java.lang.Thread.sleep")))));
    }

    /** Run only through EngineTestKit (Surefire skips nested classes): blocks a parallel thread on purpose. */
    @ExtendWith(BlockHoundExtension.class)
    static class SleepsOnParallel {
        @Test
        void sleeps() {
            Mono.fromCallable(() -> {
                        Thread.sleep(1);
                        return "slept";
                    })
                    .subscribeOn(Schedulers.parallel())
                    .block(Duration.ofSeconds(5));
        }
    }

    /**
     * BlockHound ignores a second install on its own, so what is checked is that the extension's install() does not
     * run BlockHound's installation (which applies every integration) again, and that BlockHound still guards after.
     */
    @Test
    void installAgainKeepsTheFirstInstallation() {
        assertThat(CountingBlockHoundIntegration.applications())
                .as("integrations applied by the installation this class's extension made")
                .isEqualTo(1);

        BlockHoundExtension.install();
        BlockHoundExtension.install();

        assertThat(CountingBlockHoundIntegration.applications()).isEqualTo(1);
        StepVerifier.create(Mono.fromCallable(() -> {
                            Thread.sleep(1); // deliberate: still caught after the repeated installs
                            return "slept";
                        })
                        .subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(Duration.ofSeconds(5));
    }
}
