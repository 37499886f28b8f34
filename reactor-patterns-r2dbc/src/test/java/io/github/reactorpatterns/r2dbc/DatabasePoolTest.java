package io.github.reactorpatterns.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The pool's limits on a real PostgreSQL: bounded size, a wait that means what it says, bounded waiters. */
class DatabasePoolTest {

    private static Database monitor;

    @BeforeAll
    static void startMonitor() {
        monitor = TestDatabases.monitor();
    }

    @AfterAll
    static void closeMonitor() {
        monitor.close();
    }

    @Test
    void twoHundredCallersOnTwentyConnectionsAllFinishAndTheServerNeverSeesMore() {
        String app = TestDatabases.uniqueName("pool200");
        try (Database db = TestDatabases.database(app, b -> b)) {
            AtomicLong mostOnServer = new AtomicLong();
            AtomicLong mostAcquired = new AtomicLong();
            Disposable sampler = Flux.interval(Duration.ofMillis(20), Schedulers.boundedElastic())
                    .onBackpressureDrop()
                    .concatMap(
                            tick -> Mono.fromCallable(() -> TestDatabases.connections(monitor, app))
                                    .subscribeOn(Schedulers.boundedElastic()),
                            1)
                    .subscribe(n -> mostOnServer.accumulateAndGet(n, Math::max));

            List<Integer> results = Flux.range(0, 200)
                    .flatMap(
                            i -> db.queryOne("SELECT $1::int FROM pg_sleep(0.02)", row -> row.get(0, Integer.class), i)
                                    .doOnNext(x -> mostAcquired.accumulateAndGet(
                                            db.poolMetrics().acquired(), Math::max)),
                            200)
                    .collectList()
                    .block(Duration.ofSeconds(120));
            mostOnServer.accumulateAndGet(TestDatabases.connections(monitor, app), Math::max);
            sampler.dispose();

            assertThat(results)
                    .hasSize(200)
                    .containsExactlyInAnyOrderElementsOf(
                            Flux.range(0, 200).collectList().block());
            assertThat(mostOnServer.get()).isBetween(1L, 20L);
            assertThat(mostAcquired.get()).isBetween(1L, 20L);
            assertThat(db.poolMetrics().allocated()).isLessThanOrEqualTo(Database.DEFAULT_MAX_SIZE);
            TestDatabases.awaitAllReturned(db);
            assertThat(db.poolMetrics().pending()).isZero();
        }
    }

    @Test
    void twentyFirstAcquireFailsAfterTheTimeoutNotTwiceIt() {
        String app = TestDatabases.uniqueName("pool21");
        Duration timeout = Duration.ofMillis(1000);
        try (Database db = TestDatabases.database(app, b -> b.minIdle(20).acquireTimeout(timeout))) {
            assertThat(db.warmup().block(TestDatabases.LOADED_MACHINE_WAIT)).isEqualTo(20);
            Disposable.Composite holders = Disposables.composite();
            for (int i = 0; i < 20; i++) {
                holders.add(
                        db.transaction(session -> session.execute("SELECT 1").then(Mono.never()))
                                .subscribe());
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> db.poolMetrics().acquired() == 20);

            long start = System.nanoTime();
            StepVerifier.create(db.queryOne("SELECT 1", row -> row.get(0, Integer.class)))
                    .expectErrorSatisfies(error -> {
                        Duration waited = Duration.ofNanos(System.nanoTime() - start);
                        assertThat(error)
                                .isInstanceOf(PoolExhaustedException.class)
                                .hasMessageStartingWith("no connection within the acquire timeout of 1000 ms: all 20"
                                        + " connections stayed in use (acquired=20");
                        PoolExhaustedException exhausted = (PoolExhaustedException) error;
                        assertThat(exhausted.reason()).isEqualTo(PoolExhaustedException.Reason.ACQUIRE_TIMEOUT);
                        assertThat(exhausted.acquireTimeout()).isEqualTo(timeout);
                        assertThat(exhausted.metrics().acquired()).isEqualTo(20);
                        assertThat(waited)
                                .isBetween(
                                        timeout.minusMillis(50),
                                        timeout.multipliedBy(2).minusMillis(100));
                    })
                    .verify(Duration.ofSeconds(10));
            assertThat(TestDatabases.connections(monitor, app)).isEqualTo(20);

            holders.dispose();
            TestDatabases.awaitAllReturned(db);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestDatabases.sessions(monitor, app, "idle in transaction") == 0);
            StepVerifier.create(db.queryOne("SELECT 7", row -> row.get(0, Integer.class)))
                    .expectNext(7)
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void waitersBeyondTheLimitAreRefusedAtOnce() {
        String app = TestDatabases.uniqueName("poolwait");
        try (Database db =
                TestDatabases.database(app, b -> b.minIdle(1).maxSize(1).maxPendingAcquires(1))) {
            db.warmup().block(TestDatabases.LOADED_MACHINE_WAIT);
            Disposable holder = db.transaction(
                            session -> session.execute("SELECT 1").then(Mono.never()))
                    .subscribe();
            await().atMost(Duration.ofSeconds(60)).until(() -> db.poolMetrics().acquired() == 1);
            Disposable waiter = db.queryOne("SELECT 1", row -> 1).subscribe(x -> {}, e -> {});
            await().atMost(Duration.ofSeconds(30)).until(() -> db.poolMetrics().pending() == 1);

            StepVerifier.create(db.queryOne("SELECT 1", row -> 1))
                    .expectErrorSatisfies(error -> {
                        assertThat(error)
                                .isInstanceOf(PoolExhaustedException.class)
                                .hasMessageStartingWith("too many callers wait for a connection: the limit of 1"
                                        + " waiters is reached");
                        assertThat(((PoolExhaustedException) error).reason())
                                .isEqualTo(PoolExhaustedException.Reason.TOO_MANY_WAITERS);
                    })
                    .verify(Duration.ofSeconds(2));

            waiter.dispose();
            await().atMost(Duration.ofSeconds(30)).until(() -> db.poolMetrics().pending() == 0);
            holder.dispose();
            TestDatabases.awaitAllReturned(db);
        }
    }

    @Test
    void metricsShowIdleConnectionsAfterWarmup() {
        try (Database db = TestDatabases.database(TestDatabases.uniqueName("poolwarm"), b -> b.minIdle(3))) {
            assertThat(db.warmup().block(Duration.ofSeconds(60))).isEqualTo(3);
            PoolMetrics metrics = db.poolMetrics();
            assertThat(metrics.idle()).isEqualTo(3);
            assertThat(metrics.acquired()).isZero();
            assertThat(metrics.allocated()).isEqualTo(3);
            assertThat(metrics.maxSize()).isEqualTo(Database.DEFAULT_MAX_SIZE);
            assertThat(metrics.maxPending()).isEqualTo(Database.DEFAULT_MAX_PENDING_ACQUIRES);
        }
    }

    @Test
    void validationQueryRunsOnAcquire() {
        try (Database db = TestDatabases.database(
                TestDatabases.uniqueName("poolvalid"),
                b -> b.minIdle(0).maxSize(1).validationQuery("SELECT 1"))) {
            StepVerifier.create(db.queryOne("SELECT 2", row -> row.get(0, Integer.class)))
                    .expectNext(2)
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
        }
    }

    @Test
    void builderChecksItsArguments() {
        Database.Builder builder = Database.builder(TestDatabases.factory("args"));
        assertThatNullPointerException()
                .isThrownBy(() -> Database.builder((String) null))
                .withMessage("url");
        assertThatNullPointerException()
                .isThrownBy(() -> Database.builder((io.r2dbc.spi.ConnectionFactory) null))
                .withMessage("factory");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.maxSize(0))
                .withMessage("maxSize > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.minIdle(-1))
                .withMessage("minIdle >= 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.maxPendingAcquires(-1))
                .withMessage("maxPendingAcquires >= 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.fetchSize(-1))
                .withMessage("fetchSize >= 0 required but it was -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> builder.acquireTimeout(Duration.ZERO))
                .withMessage("acquireTimeout > 0 required but it was PT0S");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.acquireTimeout(null))
                .withMessage("acquireTimeout");
        assertThatNullPointerException()
                .isThrownBy(() -> builder.validationQuery(null))
                .withMessage("validationQuery");
        assertThatIllegalStateException()
                .isThrownBy(() -> Database.builder(TestDatabases.factory("args"))
                        .minIdle(5)
                        .maxSize(2)
                        .build())
                .withMessage("minIdle must be <= maxSize but minIdle was 5 and maxSize 2");
    }
}
