package io.github.reactorpatterns.test;

import java.util.Objects;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * A <a href="https://github.com/reactor/BlockHound">BlockHound</a> integration that allows the brief lock Netty 4.2's
 * adaptive buffer allocator takes when it frees a magazine, which Netty's own integration does not list yet.
 *
 * <p>Netty's {@code AdaptivePoolingAllocator} frees a magazine under a {@code StampedLock} write lock held for a few
 * instructions. When a buffer is allocated off the event loop (for example a response body written from a
 * {@code Schedulers.parallel()} thread) under contention, that lock can park for a moment, and BlockHound reports it
 * as a blocking call. This integration allows blocking inside exactly the two methods that take the lock,
 * {@code AdaptivePoolingAllocator$Magazine.free} and {@code AdaptivePoolingAllocator$MagazineGroup.free}; every other
 * blocking call on a non-blocking thread is still reported.
 *
 * <p>You do not use this class directly: this jar registers it in
 * {@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}, so any {@code BlockHound.install()}
 * with the test kit on the class path applies it, your own as well as {@link BlockHoundExtension}'s. To apply it to a
 * builder explicitly, pass an instance to {@code BlockHound.install(...)} or {@code BlockHound.builder().with(...)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

    /** The Netty class whose magazines are freed under a lock. */
    static final String MAGAZINE = "io.netty.buffer.AdaptivePoolingAllocator$Magazine";

    /** The Netty class that frees its magazines under a lock. */
    static final String MAGAZINE_GROUP = "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup";

    /** The method of both classes that takes the lock. */
    static final String FREE = "free";

    /** Creates the integration; {@code ServiceLoader} does this for you when BlockHound is installed. */
    public NettyAllocatorBlockHoundIntegration() {}

    /**
     * Allows blocking calls inside the allocator's two magazine-freeing methods.
     *
     * @param builder the BlockHound builder being configured
     * @throws NullPointerException if {@code builder} is null
     */
    @Override
    public void applyTo(BlockHound.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        builder.allowBlockingCallsInside(MAGAZINE, FREE);
        builder.allowBlockingCallsInside(MAGAZINE_GROUP, FREE);
    }
}
