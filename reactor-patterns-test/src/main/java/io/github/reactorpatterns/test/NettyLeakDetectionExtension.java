package io.github.reactorpatterns.test;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaked a Netty {@link ByteBuf} (a buffer that became unreachable
 * without being released), naming the leak record: where the buffer was allocated and last touched.
 *
 * <p>For each test it:
 * <ol>
 *   <li>switches Netty's {@link ResourceLeakDetector} to {@link ResourceLeakDetector.Level#PARANOID PARANOID}, so
 *       every buffer allocated during the test is tracked with its access records;</li>
 *   <li>after the test, forces detection: runs the garbage collector, waits (on a reference queue, not a sleep)
 *       until the collector has processed references, and allocates and releases a buffer, which makes Netty
 *       report what it found; three rounds at most;</li>
 *   <li>restores the previous level, and throws an {@link AssertionError} carrying every leak record found.</li>
 * </ol>
 * Leaks reported before the test starts (by earlier code) are drained and ignored, so they are not blamed on it.
 *
 * <pre>{@code
 * @ExtendWith(NettyLeakDetectionExtension.class)
 * class MyCodecTest { ... }
 * }</pre>
 *
 * <p>Limits, from how Netty detects leaks: a leaked buffer is found only once the garbage collector has reclaimed
 * it, so a buffer still referenced from a static field or a running task is not reported; a buffer that a test
 * releases too often fails at once with Netty's own {@code IllegalReferenceCountException} instead. Netty reports
 * a leak only when its logger for {@code io.netty.util.ResourceLeakDetector} has ERROR enabled (the default with
 * java.util.logging or an SLF4J backend). Tests that run in parallel share one detector, so a leak may be
 * blamed on a test running at the same time as the one that caused it: use it in classes that run sequentially.
 * PARANOID tracking is slow; use it where buffers are handled, not for a whole suite.
 */
public final class NettyLeakDetectionExtension implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(NettyLeakDetectionExtension.class);
    private static final int ROUNDS = 3;
    private static final long GC_WAIT_MILLIS = 500;
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final AtomicBoolean LISTENING = new AtomicBoolean();

    /** Creates the extension; JUnit does this for you when the extension is registered. */
    public NettyLeakDetectionExtension() {}

    /**
     * Installs the leak listener (once per JVM), drains leaks from before the test, and sets the PARANOID level.
     *
     * @param context the test's context, where the previous level is kept
     * @throws IllegalStateException if Netty's buffer leak detector cannot be reached
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        listen();
        context.getStore(NAMESPACE).put(ResourceLeakDetector.Level.class, ResourceLeakDetector.getLevel());
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        forceDetection(1);
        LEAKS.clear();
    }

    /**
     * Forces leak detection, restores the previous level and fails if a buffer leaked.
     *
     * @param context the test's context
     * @throws AssertionError naming every leak record if a buffer leaked during the test
     */
    @Override
    public void afterEach(ExtensionContext context) {
        try {
            forceDetection(ROUNDS);
        } finally {
            ResourceLeakDetector.Level previous = context.getStore(NAMESPACE)
                    .remove(ResourceLeakDetector.Level.class, ResourceLeakDetector.Level.class);
            ResourceLeakDetector.setLevel(previous != null ? previous : ResourceLeakDetector.Level.SIMPLE);
        }
        List<String> found = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            found.add(leak);
        }
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty ByteBuf leak(s) detected in "
                    + context.getDisplayName() + " (a buffer was garbage collected without release()):\n"
                    + String.join("\n", found));
        }
    }

    private static void listen() {
        if (LISTENING.get()) {
            return;
        }
        synchronized (LISTENING) {
            if (LISTENING.get()) {
                return;
            }
            ResourceLeakDetector<?> detector = byteBufDetector();
            detector.setLeakListener((resourceType, records) ->
                    LEAKS.add("LEAK of " + resourceType + ": " + (records.isEmpty() ? "(no records)" : records)));
            LISTENING.set(true);
        }
    }

    private static ResourceLeakDetector<?> byteBufDetector() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<?>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot reach Netty's ByteBuf leak detector "
                            + "(io.netty.buffer.AbstractByteBuf.leakDetector); on the module path, open io.netty.buffer "
                            + "to this module",
                    e);
        }
    }

    /**
     * Runs the collector and makes Netty poll its reference queue, until a leak is found or the rounds run out.
     * The wait on our own weak reference tells when the collector has processed references, without sleeping.
     */
    private static void forceDetection(int rounds) {
        for (int i = 0; i < rounds && LEAKS.isEmpty(); i++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
            System.gc();
            try {
                queue.remove(GC_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            sentinel.clear();
            // Each tracked allocation makes the detector poll the references the collector enqueued.
            touch(ByteBufAllocator.DEFAULT);
            touch(PooledByteBufAllocator.DEFAULT);
            touch(UnpooledByteBufAllocator.DEFAULT);
        }
    }

    private static void touch(ByteBufAllocator allocator) {
        ByteBuf buffer = allocator.buffer(1);
        buffer.release();
    }
}
