package io.github.reactorpatterns.test;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;

/**
 * A JUnit 5 extension that installs <a href="https://github.com/reactor/BlockHound">BlockHound</a> once per JVM,
 * so that any blocking call made on a non-blocking thread ({@code Schedulers.parallel()}, Netty event loops, or
 * any thread marked {@link reactor.core.scheduler.NonBlocking}) throws {@code BlockingOperationError} and fails the
 * test that caused it.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>per class: annotate the test class with {@code @ExtendWith(BlockHoundExtension.class)};</li>
 *   <li>for a whole test suite: this jar lists the extension in
 *       {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, so adding
 *       {@code junit.jupiter.extensions.autodetection.enabled=true} to
 *       {@code src/test/resources/junit-platform.properties} applies it to every test. The reactor-patterns modules
 *       themselves test this way.</li>
 * </ul>
 *
 * <p>BlockHound needs the JVM flag {@code -XX:+AllowRedefinitionToAddDeleteMethods} on JDK 13 and later, and also
 * {@code -XX:+EnableDynamicAgentLoading} on JDK 21 and later (put them in the Surefire {@code argLine}). Integrations
 * found on the class path through {@code ServiceLoader} (reactor-core's, Netty's, and this jar's
 * {@link NettyAllocatorBlockHoundIntegration}) are applied, so the usual allowed blocking calls inside those libraries
 * are not reported. Because they are found the same way by a plain {@code BlockHound.install()}, installing BlockHound
 * yourself gives the same allowances.
 *
 * <p>Installation is idempotent and thread-safe: the first test class that runs installs it, later ones do nothing.
 * A class that starts while another one is installing it (parallel test execution) waits until the installation
 * has finished, so no test runs unguarded. Once installed, BlockHound stays installed for the life of the JVM.
 */
public final class BlockHoundExtension implements BeforeAllCallback {

    private static final Once INSTALLATION = new Once();

    /** Creates the extension; JUnit does this for you when the extension is registered. */
    public BlockHoundExtension() {}

    /**
     * Installs BlockHound if no earlier test class has.
     *
     * @param context the JUnit context of the test class, unused
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    /**
     * Installs BlockHound in this JVM unless it is already installed; for code that runs outside JUnit.
     *
     * @throws IllegalStateException if the JVM lacks the flags BlockHound needs (the message says which)
     */
    public static void install() {
        INSTALLATION.run(() -> {
            try {
                BlockHound.install();
            } catch (RuntimeException | Error e) {
                throw new IllegalStateException(
                        "BlockHound could not be installed; on JDK 13+ run the tests with "
                                + "-XX:+AllowRedefinitionToAddDeleteMethods (and -XX:+EnableDynamicAgentLoading on JDK 21+)",
                        e);
            }
        });
    }

    /**
     * Runs an action once: every caller returns only after it has completed, and it is marked done only when it
     * has completed normally (a failed run is tried again by the next caller).
     */
    static final class Once {

        private volatile boolean done;

        void run(Runnable action) {
            if (done) {
                return;
            }
            synchronized (this) {
                if (!done) {
                    action.run();
                    done = true;
                }
            }
        }

        boolean isDone() {
            return done;
        }
    }
}
