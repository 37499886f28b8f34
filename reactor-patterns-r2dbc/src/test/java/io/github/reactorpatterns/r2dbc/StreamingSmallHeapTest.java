package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Tagged {@code small-heap}: runs in its own surefire execution with {@code -Xmx64m}: a million rows (tens of MiB as
 * driver buffers and objects) must stream through without piling up, or this JVM runs out of memory.
 */
@Tag("small-heap")
class StreamingSmallHeapTest {

    private static final String MILLION = "SELECT g, repeat('x', 40) AS pad FROM generate_series(1, 1000000) g";
    private static Database db;

    @BeforeAll
    static void start() {
        db = TestDatabases.database(
                TestDatabases.uniqueName("smallheap"), b -> b.minIdle(1).maxSize(2));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void runsInASmallHeap() {
        assertThat(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax())
                .isLessThanOrEqualTo(64L * 1024 * 1024);
    }

    @Test
    void aMillionRowsStreamThroughAFlatHeap() {
        StepVerifier.create(db.query(MILLION, row -> row.get(0, Integer.class)).count())
                .expectNext(1_000_000L)
                .expectComplete()
                .verify(Duration.ofMinutes(2));
        TestDatabases.awaitAllReturned(db);
    }

    @Test
    void aThousandRequestedOfAMillionAndTheRestIsNotRead() {
        StepVerifier.create(db.query(MILLION, row -> row.get(0, Integer.class)), 0)
                .thenRequest(1000)
                .expectNextCount(1000)
                .expectNoEvent(Duration.ofSeconds(1))
                .then(System::gc)
                .then(() -> assertThat(usedHeap()).isLessThan(48L * 1024 * 1024))
                .thenCancel()
                .verify(TestDatabases.LOADED_MACHINE_WAIT);
        TestDatabases.awaitAllReturned(db);
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
