package io.github.reactorpatterns.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.reactorpatterns.limit.Permit;
import io.github.reactorpatterns.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.event.command.CommandBaseEvent;
import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.event.command.CommandSucceededEvent;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
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
    void severalWaitersAskRedisAtOnceWhileTheFleetHasRoom() {
        AcquireProbe probe = new AcquireProbe();
        RedisClient probed = probedClient(probe);
        try (RedisSemaphore semaphore =
                RedisSemaphore.builder(probed, name, 100).build()) {
            connection.sync().clientPause(1000); // no request is answered before all twenty are sent
            List<Permit> permits = Flux.range(0, 20)
                    .flatMap(i -> semaphore.acquire(), 20)
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(permits).hasSize(20);
            // every waiter's request was in flight at once (one at a time, acquiring is one round trip each)
            assertThat(probe.most.get()).isEqualTo(20);
            assertThat(probe.sent.get()).isEqualTo(20);
            assertThat(members()).isEqualTo(20);
            permits.forEach(Permit::release);
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
        } finally {
            RedisTestSupport.shutdown(probed);
        }
    }

    @Test
    void grantsGoToTheWaitersInOrderWhicheverRequestWonThemAndUnclaimedOnesAreReleased() {
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 100)
                .lease(Duration.ofSeconds(60))
                .build()) {
            List<List<Object>> signals = new ArrayList<>();
            List<Disposable> waiters = new ArrayList<>();
            connection.sync().clientPause(1000); // the ten requests wait in Redis until the pause ends
            for (int i = 0; i < 10; i++) {
                List<Object> got = new CopyOnWriteArrayList<>();
                signals.add(got);
                waiters.add(semaphore.acquire().subscribe(got::add, got::add));
            }
            // three waiters leave while every request is in flight
            waiters.get(0).dispose();
            waiters.get(3).dispose();
            waiters.get(7).dispose();
            assertThat(semaphore.waiting()).isEqualTo(7);

            List<Integer> served = List.of(1, 2, 4, 5, 6, 8, 9);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> served.stream().allMatch(i -> !signals.get(i).isEmpty()));
            List<Long> requests = new ArrayList<>();
            Set<String> delivered = new HashSet<>();
            for (int i : served) {
                assertThat(signals.get(i)).hasSize(1).first().isInstanceOf(Permit.class);
                String id = permitId((Permit) signals.get(i).get(0));
                delivered.add(id);
                requests.add(Long.parseLong(id.substring(id.lastIndexOf(':') + 1)));
            }
            // the first seven requests sent won the seven permits, which went to the waiters left in their order
            assertThat(requests).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(signals.get(0)).isEmpty();
            assertThat(signals.get(3)).isEmpty();
            assertThat(signals.get(7)).isEmpty();
            // the last three grants found no waiter and were released: Redis holds exactly the delivered permits
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 7);
            assertThat(connection.sync().zrange(RedisSemaphore.key(name), 0, -1))
                    .containsExactlyInAnyOrderElementsOf(delivered);
            assertThat(semaphore.waiting()).isZero();
            served.forEach(i -> ((Permit) signals.get(i).get(0)).release());
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
        }
    }

    @Test
    void onceRedisAnswersThatEveryPermitIsTakenOnlyOneRequestAsksAtATime() {
        AcquireProbe probe = new AcquireProbe();
        RedisClient probed = probedClient(probe);
        try (RedisSemaphore semaphore = RedisSemaphore.builder(probed, name, 5)
                .lease(Duration.ofSeconds(60))
                .recheckEvery(Duration.ofSeconds(60))
                .build()) {
            List<Permit> granted = new CopyOnWriteArrayList<>();
            List<Disposable> waiters = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                waiters.add(semaphore.acquire().subscribe(granted::add));
            }
            // five grants (never more requests at once than the free permits Redis reported, so none denied), then
            // one "all taken", and the fifteen left sleep: twenty waiters, six requests
            await().atMost(Duration.ofSeconds(5)).until(() -> probe.answered.get() == 6);
            assertThat(granted).hasSize(5);
            assertThat(semaphore.waiting()).isEqualTo(15);
            assertThat(probe.sent.get()).isEqualTo(6);
            assertThat(probe.inFlight.get()).isZero();

            // a release wakes the fifteen: one request wins the permit (Redis reports none left), so one more asks
            // and finds the fleet full again; no other waiter asks
            granted.get(0).release();
            await().atMost(Duration.ofSeconds(5)).until(() -> granted.size() == 6 && probe.answered.get() == 8);
            assertThat(probe.sent.get()).isEqualTo(8);
            assertThat(probe.inFlight.get()).isZero();
            assertThat(semaphore.waiting()).isEqualTo(14);

            waiters.forEach(Disposable::dispose);
            granted.forEach(Permit::release);
            assertThat(semaphore.waiting()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
        } finally {
            RedisTestSupport.shutdown(probed);
        }
    }

    @Test
    void thousandsOfRandomCancellationsWithRequestsInFlightLeaveNoPermitHeld() {
        AcquireProbe probe = new AcquireProbe();
        RedisClient probed = probedClient(probe);
        try (RedisSemaphore semaphore = RedisSemaphore.builder(probed, name, 40).build()) {
            long finished = Flux.range(0, 5_000)
                    .flatMap(
                            i -> {
                                ThreadLocalRandom r = ThreadLocalRandom.current();
                                Mono<Integer> work = semaphore.withPermit(Mono.delay(Duration.ofMillis(r.nextInt(2)))
                                        .thenReturn(i));
                                // half leave after a few hundred µs: mostly while their request is in flight
                                Duration patience = r.nextBoolean()
                                        ? Duration.ofNanos(r.nextLong(50_000, 800_000))
                                        : Duration.ofMillis(r.nextInt(4));
                                return work.timeout(patience)
                                        .onErrorResume(java.util.concurrent.TimeoutException.class, e -> Mono.just(-1));
                            },
                            64)
                    .count()
                    .block(Duration.ofSeconds(120));
            assertThat(finished).isEqualTo(5_000);
            // more than one waiter asked at once (the probe's overlap of one would make a lone asker count 2)
            assertThat(probe.most.get()).as("requests in flight at once").isGreaterThan(2);
            assertThat(semaphore.waiting()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> members() == 0);
            assertThat(semaphore.held().block(Duration.ofSeconds(5))).isZero();
        } finally {
            RedisTestSupport.shutdown(probed);
        }
    }

    @Test
    void manyThreadsNeverHoldMoreThanThePermits() {
        Scheduler threads = Schedulers.newParallel("acquirers", 8);
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 10).build()) {
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            Mono<Integer> job = semaphore.withPermit(Mono.fromCallable(() -> {
                        peak.accumulateAndGet(holders.incrementAndGet(), Math::max);
                        return 1;
                    })
                    .delayElement(Duration.ofMillis(1))
                    .map(
                            one -> { // counted out before the permit is released
                                holders.decrementAndGet();
                                return one;
                            }));
            Integer done = Flux.range(0, 2_400)
                    .parallel(8)
                    .runOn(threads)
                    .flatMap(i -> job, false, 16)
                    .sequential()
                    .reduce(0, Integer::sum)
                    .block(Duration.ofSeconds(120));
            assertThat(done).isEqualTo(2_400);
            assertThat(peak.get()).isBetween(2, 10);
            assertThat(semaphore.waiting()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> members() == 0);
        } finally {
            threads.dispose();
        }
    }

    @Test
    void everyWaiterFailsWhenTheirRequestsFail() {
        connection.sync().set(RedisSemaphore.key(name), "a string");
        try (RedisSemaphore semaphore = RedisSemaphore.builder(client, name, 10).build()) {
            List<Throwable> errors = Flux.range(0, 8)
                    .flatMap(
                            i -> semaphore
                                    .acquire()
                                    .<Throwable>then(Mono.empty())
                                    .onErrorResume(Mono::just),
                            8)
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(errors)
                    .hasSize(8)
                    .allSatisfy(e -> assertThat(e)
                            .isInstanceOf(RedisKeyTypeException.class)
                            .hasMessageContaining(RedisSemaphore.key(name)));
            assertThat(semaphore.waiting()).isZero();
        }
        RedisServer doomed = RedisTestSupport.server();
        RedisClient doomedClient = RedisTestSupport.client(doomed.uri());
        try (RedisSemaphore semaphore = RedisSemaphore.builder(doomedClient, name, 10)
                .timeout(Duration.ofMillis(500))
                .build()) {
            doomed.stop();
            List<Throwable> errors = Flux.range(0, 8)
                    .flatMap(
                            i -> semaphore
                                    .acquire()
                                    .<Throwable>then(Mono.empty())
                                    .onErrorResume(Mono::just),
                            8)
                    .collectList()
                    .block(Duration.ofSeconds(10));
            assertThat(errors).hasSize(8).allSatisfy(e -> assertThat(e).isInstanceOf(RedisUnavailableException.class));
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

    /** A client whose acquire scripts {@code probe} counts; the scripts are loaded first, so none answers NOSCRIPT. */
    private static RedisClient probedClient(AcquireProbe probe) {
        for (String script : List.of(RedisSemaphore.ACQUIRE, RedisSemaphore.RELEASE, RedisSemaphore.RENEW)) {
            connection.sync().scriptLoad(script);
        }
        RedisClient probed = RedisTestSupport.client(redis.uri());
        probed.addListener(probe);
        return probed;
    }

    /**
     * Counts the acquire scripts a client sent, those answered, and the most in flight at once. Lettuce reports an
     * answer after the caller has seen it, so a request sent from the caller's callback overlaps by one.
     */
    static final class AcquireProbe implements CommandListener {

        final String sha = new RedisScript(RedisSemaphore.ACQUIRE).sha();
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        private boolean isAcquire(CommandBaseEvent event) {
            RedisCommand<?, ?, ?> command = event.getCommand();
            return command.getType() == CommandType.EVALSHA
                    && command.getArgs() != null
                    && command.getArgs().toCommandString().contains(sha);
        }

        @Override
        public void commandStarted(CommandStartedEvent event) {
            if (isAcquire(event)) {
                sent.incrementAndGet();
                most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            }
        }

        @Override
        public void commandSucceeded(CommandSucceededEvent event) {
            if (isAcquire(event)) {
                inFlight.decrementAndGet();
                answered.incrementAndGet();
            }
        }

        @Override
        public void commandFailed(CommandFailedEvent event) {
            if (isAcquire(event)) {
                inFlight.decrementAndGet();
                answered.incrementAndGet();
            }
        }
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
