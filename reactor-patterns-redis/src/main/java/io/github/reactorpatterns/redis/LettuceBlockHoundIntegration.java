package io.github.reactorpatterns.redis;

import java.util.Objects;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * A <a href="https://github.com/reactor/BlockHound">BlockHound</a> integration that allows the brief lock Lettuce
 * takes on every command it writes, so that tests running with BlockHound do not wedge their Redis connections.
 *
 * <p>Lettuce 7 guards each connection's writes with a {@code ReentrantLock} held for a few instructions
 * ({@code io.lettuce.core.protocol.SharedLock}). A command issued from a non-blocking thread, such as a
 * {@code Schedulers.parallel()} worker or a Netty event loop, can find that lock taken for a moment and park. BlockHound
 * reports the park by throwing from inside the lock; Lettuce then decrements a writer count it never incremented,
 * and from that moment every write on the connection spins on its event loop forever (all commands time out, and
 * {@code close()} never returns). This integration allows blocking inside exactly the three methods of
 * {@code SharedLock} that take the lock ({@code incrementWriters}, {@code lockWritersExclusive} and
 * {@code doExclusive}); every other blocking call on a non-blocking thread is still reported.
 *
 * <p>You do not use this class directly: this jar registers it in
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}, so any {@code BlockHound.install()}
 * with this module on the class path applies it. BlockHound itself is an optional dependency: without it on the class
 * path this class is never loaded. To apply it to a builder explicitly, pass an instance to
 * {@code BlockHound.install(...)} or {@code BlockHound.builder().with(...)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class LettuceBlockHoundIntegration implements BlockHoundIntegration {

    /** The Lettuce class that guards a connection's writes. */
    static final String SHARED_LOCK = "io.lettuce.core.protocol.SharedLock";

    /** Creates the integration; {@code ServiceLoader} does this for you when BlockHound is installed. */
    public LettuceBlockHoundIntegration() {}

    /**
     * Allows blocking calls inside the three methods of Lettuce's write lock that take it.
     *
     * @param builder the BlockHound builder being configured
     * @throws NullPointerException if {@code builder} is null
     */
    @Override
    public void applyTo(BlockHound.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        builder.allowBlockingCallsInside(SHARED_LOCK, "incrementWriters");
        builder.allowBlockingCallsInside(SHARED_LOCK, "lockWritersExclusive");
        builder.allowBlockingCallsInside(SHARED_LOCK, "doExclusive");
    }
}
