package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

class NettyLeakDetectionExtensionTest {

    @Test
    void leakedBufferFailsTheTestNamingTheLeakRecord() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();

        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Leaking.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("leaksABuffer"),
                                finishedWithFailure(
                                        instanceOf(AssertionError.class),
                                        message(m -> m.contains("Netty ByteBuf leak(s) detected in leaksABuffer()")
                                                && m.contains("LEAK of ByteBuf")
                                                // the record names where the leaked buffer was allocated
                                                && m.contains(
                                                        "NettyLeakDetectionExtensionTest$Leaking.leaksABuffer")))));

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(before);
    }

    @Test
    void releasedBufferPasses() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Clean.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1).failed(0));
    }

    @Test
    void levelIsParanoidDuringTheTest() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(LevelProbe.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test("paranoid"), finishedSuccessfully()));
    }

    /** Run only through EngineTestKit (Surefire skips nested classes): leaks on purpose. */
    @ExtendWith(NettyLeakDetectionExtension.class)
    static class Leaking {
        @Test
        void leaksABuffer() {
            ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(16);
            leaked.writeCharSequence("never released", StandardCharsets.US_ASCII);
        }
    }

    @ExtendWith(NettyLeakDetectionExtension.class)
    static class Clean {
        @Test
        void releasesItsBuffer() {
            ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16);
            buffer.writeCharSequence("released", StandardCharsets.US_ASCII);
            buffer.release();
        }
    }

    @ExtendWith(NettyLeakDetectionExtension.class)
    static class LevelProbe {
        @Test
        void paranoid() {
            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        }
    }
}
