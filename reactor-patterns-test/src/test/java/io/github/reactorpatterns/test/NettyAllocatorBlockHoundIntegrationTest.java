package io.github.reactorpatterns.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.StampedLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * {@link NettyAllocatorBlockHoundIntegration} is found by {@code ServiceLoader} and, with BlockHound installed by
 * {@link BlockHoundExtension} (a plain {@code BlockHound.install()}), lets Netty's allocator park in
 * {@code Magazine.free} on a non-blocking thread while the same park outside it is still reported.
 */
@ExtendWith(BlockHoundExtension.class)
class NettyAllocatorBlockHoundIntegrationTest {

    @Test
    void serviceLoaderFindsTheIntegration() {
        assertThat(ServiceLoader.load(BlockHoundIntegration.class).stream().map(ServiceLoader.Provider::type))
                .contains(NettyAllocatorBlockHoundIntegration.class);
    }

    /** The allowance names methods by string: fail when a Netty upgrade renames them and the allowance goes dead. */
    @Test
    void theAllowedMethodsExistInNettysAllocator() throws Exception {
        for (String owner : new String[] {
            NettyAllocatorBlockHoundIntegration.MAGAZINE, NettyAllocatorBlockHoundIntegration.MAGAZINE_GROUP
        }) {
            Method free = Class.forName(owner).getDeclaredMethod(NettyAllocatorBlockHoundIntegration.FREE);
            assertThat(free.getParameterCount()).isZero();
        }
    }

    @Test
    void magazineFreeMayWaitForItsLockOnAParallelThread() throws Exception {
        Object magazine = sharedMagazine();
        StampedLock lock = allocationLock(magazine);
        Method free = magazine.getClass().getDeclaredMethod(NettyAllocatorBlockHoundIntegration.FREE);
        free.setAccessible(true);
        AtomicReference<Thread> worker = new AtomicReference<>();

        long stamp = lock.writeLock();
        CompletableFuture<String> freed;
        try {
            freed = Mono.fromCallable(() -> {
                        worker.set(Thread.currentThread());
                        free.invoke(magazine);
                        return "freed";
                    })
                    .subscribeOn(Schedulers.parallel())
                    .toFuture();
            // Release only once free() is parked on the lock (or has already failed), so the park really happens.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> freed.isDone()
                            || (worker.get() != null && worker.get().getState() == Thread.State.WAITING));
        } finally {
            lock.unlockWrite(stamp);
        }
        assertThat(freed.get(10, TimeUnit.SECONDS)).isEqualTo("freed");
    }

    /** The control: the very same wait outside {@code Magazine.free} is reported, so the test above can fail. */
    @Test
    void theSameWaitOutsideTheAllocatorIsReported() throws Exception {
        StampedLock lock = allocationLock(sharedMagazine());
        long stamp = lock.writeLock();
        try {
            StepVerifier.create(Mono.fromCallable(lock::writeLock).subscribeOn(Schedulers.parallel()))
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(BlockingOperationError.class)
                            .hasMessageContaining("park"))
                    .verify(Duration.ofSeconds(10));
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Test
    void nullBuilderIsRejected() {
        assertThatNullPointerException()
                .isThrownBy(() -> new NettyAllocatorBlockHoundIntegration().applyTo(null))
                .withMessage("builder");
    }

    /** A shareable magazine with no group or chunk controller: {@code free()} of an empty magazine uses neither. */
    private static Object sharedMagazine() throws Exception {
        Class<?> magazineType = Class.forName(NettyAllocatorBlockHoundIntegration.MAGAZINE);
        Class<?> groupType = Class.forName(NettyAllocatorBlockHoundIntegration.MAGAZINE_GROUP);
        Class<?> controllerType = Class.forName("io.netty.buffer.AdaptivePoolingAllocator$ChunkController");
        Constructor<?> constructor = magazineType.getDeclaredConstructor(groupType, boolean.class, controllerType);
        constructor.setAccessible(true);
        return constructor.newInstance(null, true, null);
    }

    private static StampedLock allocationLock(Object magazine) throws Exception {
        Field field = magazine.getClass().getDeclaredField("allocationLock");
        field.setAccessible(true);
        return (StampedLock) field.get(magazine);
    }
}
