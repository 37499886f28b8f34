package io.github.reactorpatterns.test;

import java.util.concurrent.atomic.AtomicInteger;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Registered for {@code ServiceLoader} in this module's test resources: counts how often BlockHound's integrations
 * are applied in this JVM, that is how often {@code BlockHound.install()} actually ran (BlockHound itself silently
 * ignores a second install, so only this count tells whether {@link BlockHoundExtension} installed once).
 */
public final class CountingBlockHoundIntegration implements BlockHoundIntegration {

    private static final AtomicInteger APPLICATIONS = new AtomicInteger();

    /** Created by {@code ServiceLoader}. */
    public CountingBlockHoundIntegration() {}

    @Override
    public void applyTo(BlockHound.Builder builder) {
        APPLICATIONS.incrementAndGet();
    }

    static int applications() {
        return APPLICATIONS.get();
    }
}
