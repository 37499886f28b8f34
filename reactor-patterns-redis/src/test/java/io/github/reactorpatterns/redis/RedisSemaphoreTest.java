package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class RedisSemaphoreTest {

    static RedisServer redis;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static final AtomicInteger NAMES = new AtomicInteger();
    String name;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.server();
        client = RedisTestSupport.client(redis.uri());
        connection = client.connect();
    }

    @AfterAll
    static void stop() {
        connection.close();
        RedisTestSupport.shutdown(client);
        redis.close();
    }

    @BeforeEach
    void freshName() {
        name = "semaphore-" + NAMES.incrementAndGet();
    }

    long members() {
        return connection.sync().zcard(RedisSemaphore.key(name));
    }

    @Test
    void permitsAreCountedInRedisAndReleasedById() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 2).build()) {
            Permit a = semaphore.acquire().block(Duration.ofSeconds(5));
            Permit b = semaphore.tryAcquire().block(Duration.ofSeconds(5));
            assertThat(a).isNotNull();
            assertThat(b).isNotNull();
            assertThat(semaphore.tryAcquire().blockOptional(Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(semaphore.held().block(Duration.ofSeconds(5))).isEqualTo(2);
            a.release();
            a.release(); // idempotent
            assertThat(a.isReleased()).isTrue();
            assertThat(a.permits()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 1);
            assertThat(semaphore.tryAcquire().blockOptional(Duration.ofSeconds(5)))
                    .isPresent();
        }
    }

    @Test
    void aWaiterIsWokenByTheReleaseMessageOfAnotherProcess() {
        try (RedisSemaphore here = RedisSemaphore.builder(client, name, 1).build();
                RedisSemaphore there = RedisSemaphore.builder(client, name, 1)
                        .recheckEvery(Duration.ofSeconds(60))
                        .build()) {
            Permit held = here.acquire().block(Duration.ofSeconds(5));
            Mono<Permit> waiting = there.acquire().cache();
            Disposable subscribed = waiting.subscribe();
            await().atMost(Duration.ofSeconds(5)).until(() -> there.waiting() == 1);
            held.release();
            // the recheck is a minute and the lease 30 s: only the pub/sub message can wake it this soon
            Permit next = waiting.block(Duration.ofSeconds(10));
            assertThat(next).isNotNull();
            next.release();
            subscribed.dispose();
        }
    }

    @Test
    void aLostReleaseMessageIsCaughtByTheBoundedRecheck() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1)
                .recheckEvery(Duration.ofMillis(200))
                .build()) {
            Permit held = semaphore.acquire().block(Duration.ofSeconds(5));
            Mono<Permit> waiting = semaphore.acquire().cache();
            Disposable subscribed = waiting.subscribe();
            await().atMost(Duration.ofSeconds(5)).until(() -> semaphore.waiting() == 1);
            // freed behind the semaphore's back: no message is published
            connection.sync().del(RedisSemaphore.key(name));
            assertThat(waiting.block(Duration.ofSeconds(5))).isNotNull();
            subscribed.dispose();
            held.release();
        }
    }

    @Test
    void waitersOfOneProcessAreServedInOrderAndCancelledOnesLeaveAtOnce() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1).build()) {
            Permit held = semaphore.acquire().block(Duration.ofSeconds(5));
            List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            Disposable cancelled = semaphore.acquire().subscribe(p -> order.add(-1));
            Flux<Integer> rest = Flux.range(0, 3)
                    .flatMapSequential(
                            i -> semaphore.withPermit(Mono.fromCallable(() -> {
                                order.add(i);
                                return i;
                            })),
                            3);
            Disposable running = rest.subscribe();
            await().atMost(Duration.ofSeconds(5)).until(() -> semaphore.waiting() == 4);
            cancelled.dispose();
            assertThat(semaphore.waiting()).isEqualTo(3);
            held.release();
            await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 3);
            assertThat(order).containsExactly(0, 1, 2);
            running.dispose();
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
        }
    }

    @Test
    void withPermitReleasesOnCompletionErrorAndCancel() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1).build()) {
            StepVerifier.create(semaphore.withPermit(Mono.just("ok")))
                    .expectNext("ok")
                    .verifyComplete();
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
            StepVerifier.create(semaphore.withPermit(Mono.error(new IllegalStateException("boom"))))
                    .verifyErrorMessage("boom");
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
            StepVerifier.create(semaphore.withPermit(Flux.range(0, 10)), 2)
                    .expectNext(0, 1)
                    .thenCancel()
                    .verify(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
            StepVerifier.create(semaphore.withPermit(Flux.empty())).verifyComplete();
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
        }
    }

    @Test
    void tenThousandRandomCancellationsLeaveNoPermitHeld() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 5).build()) {
            long finished = Flux.range(0, 10_000)
                    .flatMap(
                            i -> {
                                ThreadLocalRandom r = ThreadLocalRandom.current();
                                Mono<Integer> work = semaphore.withPermit(Mono.delay(Duration.ofMillis(r.nextInt(3)))
                                        .thenReturn(i));
                                return work.timeout(Duration.ofMillis(r.nextInt(4)))
                                        .onErrorResume(java.util.concurrent.TimeoutException.class, e -> Mono.just(-1));
                            },
                            64)
                    .count()
                    .block(Duration.ofSeconds(120));
            assertThat(finished).isEqualTo(10_000);
            assertThat(semaphore.waiting()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> members() == 0);
            assertThat(semaphore.held().block(Duration.ofSeconds(5))).isZero();
        }
    }

    @Test
    void aPermitGrantedWhileItsWaiterIsCancelledBeforeDeliveryIsReleasedAtTheCancel() {
        HeldScheduler held = new HeldScheduler();
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1)
                .lease(Duration.ofSeconds(60))
                .scheduler(held)
                .build()) {
            List<Object> signals = new CopyOnWriteArrayList<>();
            Disposable waiter = semaphore.acquire().subscribe(signals::add, signals::add, () -> signals.add("done"));
            // Redis granted the permit and its delivery waits on the scheduler: the window between the two
            await().atMost(Duration.ofSeconds(5)).until(() -> held.pending() == 1);
            assertThat(members()).isOne();

            waiter.dispose();
            // released by the cancel itself, before the delivery runs (and 60 s before the lease would end)
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
            held.runPending();

            assertThat(signals).isEmpty();
            assertThat(semaphore.waiting()).isZero();
            // the permit is free for the next caller
            held.passThrough = true;
            StepVerifier.create(semaphore.tryAcquire().doOnNext(Permit::release).map(Permit::permits))
                    .expectNext(1)
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWaiterCancelledWhileRedisRunsItsAcquireReleasesThePermitRedisGrantsLate() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1)
                .lease(Duration.ofSeconds(60))
                .build()) {
            List<Object> signals = new CopyOnWriteArrayList<>();
            long scripts = scriptCalls();
            connection.sync().clientPause(700); // the acquire script waits in Redis until the pause ends
            Disposable waiter = semaphore.acquire().subscribe(signals::add, signals::add, () -> signals.add("done"));
            waiter.dispose(); // cancelled while its request is in flight
            assertThat(semaphore.waiting()).isZero();

            // the script runs once the pause is over and grants the permit to nobody: it is released at once (the
            // acquire and the release are the two scripts run)
            await().atMost(Duration.ofSeconds(5)).until(() -> scriptCalls() >= scripts + 2 && members() == 0);
            assertThat(signals).isEmpty();
            assertThat(semaphore.held().block(Duration.ofSeconds(5))).isZero();
        }
    }

    @Test
    void theHeartbeatRenewsTheLeaseEveryRenewEveryOnTheCallersScheduler() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1)
                .lease(Duration.ofSeconds(30))
                .renewEvery(Duration.ofSeconds(10))
                .scheduler(time)
                .build()) {
            Permit permit = semaphore.tryAcquire().block(Duration.ofSeconds(5));
            assertThat(permit).isNotNull();
            String id = permitId(permit);
            Double first = connection.sync().zscore(RedisSemaphore.key(name), id);
            // loaded up front, so that no first run answers NOSCRIPT (which counts as one more script call)
            for (String script : List.of(RedisSemaphore.RENEW, RedisSemaphore.HELD, RedisSemaphore.RELEASE)) {
                connection.sync().scriptLoad(script);
            }
            // held() runs one script on the semaphore's own connection, after any renewal issued before it: once it
            // answers, Redis has run every renewal due so far, so the count of scripts is exact
            for (int beat = 1; beat <= 3; beat++) {
                long before = scriptCalls();
                time.advanceTimeBy(Duration.ofMillis(9_999));
                assertThat(semaphore.held().block(Duration.ofSeconds(5))).isOne();
                assertThat(scriptCalls())
                        .as("no renewal before beat %d is due", beat)
                        .isEqualTo(before + 1);
                time.advanceTimeBy(Duration.ofMillis(1)); // beat is due exactly now
                // (the virtual clock may run the beat on the thread that is draining it: wait for it to reach Redis)
                long renewed = before + 2;
                await().atMost(Duration.ofSeconds(5)).until(() -> scriptCalls() >= renewed);
                assertThat(semaphore.held().block(Duration.ofSeconds(5))).isOne();
                assertThat(scriptCalls()).as("one renewal at beat %d", beat).isEqualTo(before + 3);
            }
            // the renewals moved the lease's end (in Redis time) later
            assertThat(connection.sync().zscore(RedisSemaphore.key(name), id)).isGreaterThan(first);

            permit.release();
            assertThat(semaphore.held().block(Duration.ofSeconds(5))).isZero();
            long afterRelease = scriptCalls();
            time.advanceTimeBy(Duration.ofSeconds(60)); // a released permit is not renewed any more
            assertThat(semaphore.held().block(Duration.ofSeconds(5))).isZero();
            assertThat(scriptCalls()).isEqualTo(afterRelease + 1);
        } finally {
            time.dispose();
        }
    }

    @Test
    void keyOfAnotherTypeFailsNamingTheKey() {
        connection.sync().set(RedisSemaphore.key(name), "a string");
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1).build()) {
            StepVerifier.create(semaphore.acquire())
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(RedisKeyTypeException.class)
                            .hasMessageContaining(RedisSemaphore.key(name)))
                    .verify(Duration.ofSeconds(5));
            assertThat(semaphore.waiting()).isZero();
        }
    }

    @Test
    void redisDownFailsTheWaiters() {
        RedisServer doomed = RedisTestSupport.server();
        RedisClient doomedClient = RedisTestSupport.client(doomed.uri());
        try (RedisSemaphore semaphore = RedisSemaphore.builder(doomedClient, name, 1)
                .timeout(Duration.ofMillis(500))
                .build()) {
            doomed.stop();
            StepVerifier.create(semaphore.acquire())
                    .expectError(RedisUnavailableException.class)
                    .verify(Duration.ofSeconds(5));
            assertThat(semaphore.waiting()).isZero();
        } finally {
            RedisTestSupport.shutdown(doomedClient);
            doomed.close();
        }
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> RedisSemaphore.builder(null, "x", 1))
                .withMessage("client");
        assertThatNullPointerException()
                .isThrownBy(() -> RedisSemaphore.builder(client, null, 1))
                .withMessage("name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisSemaphore.builder(client, "", 1))
                .withMessage("name must not be empty");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisSemaphore.builder(client, "x", 0))
                .withMessage("permits > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisSemaphore.builder(client, "x", 1).lease(Duration.ofMillis(1)))
                .withMessage("lease >= 10 ms required but it was PT0.001S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisSemaphore.builder(client, "x", 1).renewEvery(Duration.ZERO))
                .withMessage("renewEvery > 0 required but it was PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RedisSemaphore.builder(client, "x", 1)
                        .lease(Duration.ofSeconds(1))
                        .renewEvery(Duration.ofSeconds(1))
                        .build())
                .withMessage("renewEvery < lease (PT1S) required but it was PT1S");
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 1).build()) {
            assertThatNullPointerException()
                    .isThrownBy(() -> semaphore.withPermit((Mono<Object>) null))
                    .withMessage("task");
            assertThatNullPointerException()
                    .isThrownBy(() -> semaphore.withPermit((Flux<Object>) null))
                    .withMessage("task");
        }
    }

    /** How many scripts Redis has run (every script of this class's server, which runs one test at a time). */
    static long scriptCalls() {
        return commandCalls("evalsha");
    }

    private static long commandCalls(String command) {
        String stats = connection.sync().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }

    private static String permitId(Permit permit) {
        String s = permit.toString();
        return s.substring(s.indexOf(' ') + 1, s.length() - 1);
    }

    /**
     * A scheduler that holds the work handed to it for "now" (the semaphore's deliveries) until the test runs it,
     * and runs timed work (leases, timeouts) on {@code Schedulers.parallel()}.
     */
    static final class HeldScheduler implements Scheduler {

        final Scheduler timers = Schedulers.parallel();
        final Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        volatile boolean passThrough;

        int pending() {
            return held.size();
        }

        void runPending() {
            Runnable task;
            while ((task = held.poll()) != null) {
                task.run();
            }
        }

        @Override
        public Disposable schedule(Runnable task) {
            if (passThrough) {
                return timers.schedule(task);
            }
            held.add(task);
            return () -> held.remove(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            return timers.schedule(task, delay, unit);
        }

        @Override
        public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
            return timers.schedulePeriodically(task, initialDelay, period, unit);
        }

        @Override
        public Worker createWorker() {
            return timers.createWorker();
        }
    }
}
