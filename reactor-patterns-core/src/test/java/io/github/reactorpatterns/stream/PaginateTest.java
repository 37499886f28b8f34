package io.github.reactorpatterns.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import io.github.reactorpatterns.test.ConcurrencyProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Exceptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;
import reactor.test.util.RaceTestUtils;
import reactor.util.context.Context;
import reactor.util.retry.Retry;

class PaginateTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A cursor API: pages numbered 0..pages-1 of pageSize items; page k's next cursor is k + 1. */
    static final class CursorApi implements Function<Optional<Integer>, Mono<Page<Integer, Integer>>> {
        final int pages;
        final int pageSize;
        final AtomicInteger fetches = new AtomicInteger();
        final List<Optional<Integer>> cursors = new CopyOnWriteArrayList<>();

        CursorApi(int pages, int pageSize) {
            this.pages = pages;
            this.pageSize = pageSize;
        }

        @Override
        public Mono<Page<Integer, Integer>> apply(Optional<Integer> cursor) {
            fetches.incrementAndGet();
            cursors.add(cursor);
            int page = cursor.orElse(0);
            List<Integer> items = IntStream.range(page * pageSize, (page + 1) * pageSize)
                    .boxed()
                    .toList();
            return Mono.just(page + 1 < pages ? Page.of(items, page + 1) : Page.last(items));
        }
    }

    /** An offset API over total items: returns min(limit, cap) items from offset. */
    static final class OffsetApi {
        final long total;
        final int cap;
        final AtomicInteger fetches = new AtomicInteger();
        final List<String> calls = new CopyOnWriteArrayList<>();

        OffsetApi(long total, int cap) {
            this.total = total;
            this.cap = cap;
        }

        Mono<List<Long>> fetch(long offset, int limit) {
            fetches.incrementAndGet();
            calls.add(offset + "+" + limit);
            long end = Math.min(total, offset + Math.min(limit, cap));
            return Mono.fromSupplier(() -> LongStream.range(offset, end).boxed().toList());
        }
    }

    /** Page number {@code page} of {@code pages}; its next cursor is {@code page + 1}. */
    private static Page<Integer, Integer> numbered(int page, int pages, List<Integer> items) {
        return page + 1 < pages ? Page.of(items, page + 1) : Page.last(items);
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @Test
    void byCursorEmitsEveryPageInOrderAndStopsAtTheLastPage() {
        CursorApi api = new CursorApi(3, 4);
        StepVerifier.create(Paginate.byCursor(api))
                .expectNextSequence(range(0, 12))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(api.cursors).containsExactly(Optional.empty(), Optional.of(1), Optional.of(2));
    }

    @Test
    void byOffsetAdvancesByItemsReceivedAndStopsOnAnEmptyPage() {
        OffsetApi api = new OffsetApi(25, 7); // the API caps the limit of 10 at 7: short pages do not end it
        StepVerifier.create(Paginate.byOffset(10, api::fetch))
                .expectNextSequence(LongStream.range(0, 25).boxed().toList())
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(api.calls).containsExactly("0+10", "7+10", "14+10", "21+10", "25+10");
    }

    @Test
    void emptyFirstPageGivesEmptyFlux() {
        OffsetApi offsets = new OffsetApi(0, 10);
        StepVerifier.create(Paginate.byOffset(10, offsets::fetch))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(offsets.fetches).hasValue(1);

        StepVerifier.create(Paginate.<String, String>byCursor(cursor -> Mono.just(Page.last(List.of()))))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void emptyPagesWithCursorsAreSkipped() {
        StepVerifier.create(Paginate.<String, Integer>byCursor(cursor -> {
                    int page = cursor.orElse(0);
                    return Mono.just(page < 3 ? Page.of(List.of(), page + 1) : Page.last(List.of("end")));
                }))
                .expectNext("end")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void fetchThatCompletesEmptyEndsTheStream() {
        AtomicInteger fetches = new AtomicInteger();
        StepVerifier.create(Paginate.<Integer, Integer>byCursor(
                        cursor -> fetches.incrementAndGet() == 1 ? Mono.just(Page.of(List.of(1), 1)) : Mono.empty()))
                .expectNext(1)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void nothingIsFetchedBeforeSubscriptionAndEachSubscriptionStartsAgain() {
        CursorApi api = new CursorApi(2, 2);
        Flux<Integer> items = Paginate.byCursor(api);
        assertThat(api.fetches).hasValue(0);
        assertThat(items.collectList().block(TIMEOUT)).containsExactly(0, 1, 2, 3);
        assertThat(items.collectList().block(TIMEOUT)).containsExactly(0, 1, 2, 3);
        assertThat(api.cursors).containsExactly(Optional.empty(), Optional.of(1), Optional.empty(), Optional.of(1));
    }

    @Test
    void nothingIsFetchedBeforeTheFirstRequest() {
        CursorApi api = new CursorApi(5, 10);
        StepVerifier.create(Paginate.byCursor(api), 0)
                .expectSubscription()
                .then(() -> assertThat(api.fetches).hasValue(0))
                .thenRequest(1)
                .expectNext(0)
                .then(() -> assertThat(api.fetches).hasValue(1))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void takeFiveOnPagesOfHundredMakesExactlyOneFetch() {
        CursorApi cursorApi = new CursorApi(10, 100);
        StepVerifier.create(Paginate.byCursor(cursorApi).take(5))
                .expectNext(0, 1, 2, 3, 4)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(cursorApi.fetches).hasValue(1);

        OffsetApi offsetApi = new OffsetApi(1000, 100);
        StepVerifier.create(Paginate.byOffset(100, offsetApi::fetch).take(5))
                .expectNext(0L, 1L, 2L, 3L, 4L)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(offsetApi.fetches).hasValue(1);
    }

    @Test
    void takeAWholePageDoesNotFetchTheNext() {
        CursorApi api = new CursorApi(10, 100);
        StepVerifier.create(Paginate.byCursor(api).take(100))
                .expectNextCount(100)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(api.fetches).hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void prefetchPagesFetchesThatManyPagesAhead(int prefetch) {
        CursorApi cursorApi = new CursorApi(10, 100);
        PageOptions options = PageOptions.ofDefaults().withPrefetchPages(prefetch);
        StepVerifier.create(Paginate.byCursor(cursorApi, options).take(5))
                .expectNextCount(5)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(cursorApi.fetches).hasValue(1 + prefetch);

        OffsetApi offsetApi = new OffsetApi(1000, 100);
        StepVerifier.create(Paginate.byOffset(100, offsetApi::fetch, options).take(5))
                .expectNextCount(5)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(offsetApi.fetches).hasValue(1 + prefetch);
    }

    @Test
    void withoutPrefetchTheNextPageIsFetchedOnceEveryFetchedItemWasRequested() {
        CursorApi api = new CursorApi(3, 3);
        StepVerifier.create(Paginate.byCursor(api), 0)
                .thenRequest(2)
                .expectNext(0, 1)
                .then(() -> assertThat(api.fetches).hasValue(1))
                .thenRequest(1)
                .expectNext(2)
                .then(() -> assertThat(api.fetches).hasValue(2))
                .thenRequest(3)
                .expectNext(3, 4, 5)
                .then(() -> assertThat(api.fetches).hasValue(3))
                .thenRequest(10)
                .expectNext(6, 7, 8)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(api.fetches).hasValue(3);
    }

    @Test
    void prefetchOneHoldsOnePageAheadAsTheConsumerMoves() {
        CursorApi api = new CursorApi(5, 3);
        StepVerifier.create(Paginate.byCursor(api, PageOptions.ofDefaults().withPrefetchPages(1)), 0)
                .thenRequest(1)
                .expectNext(0)
                .then(() -> assertThat(api.fetches).hasValue(2))
                .thenRequest(1)
                .expectNext(1)
                .then(() -> assertThat(api.fetches).hasValue(2))
                .thenRequest(1)
                .expectNext(2) // page 1 done: page 2 is current, 3 fetched
                .then(() -> assertThat(api.fetches).hasValue(3))
                .thenRequest(1)
                .expectNext(3)
                .then(() -> assertThat(api.fetches).hasValue(3))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(11)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(api.fetches).hasValue(5);
    }

    @Test
    void maxPagesStopsAfterThatManyFetches() {
        CursorApi api = new CursorApi(100, 2);
        StepVerifier.create(Paginate.byCursor(api, PageOptions.ofDefaults().withMaxPages(3)))
                .expectNext(0, 1, 2, 3, 4, 5)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(api.fetches).hasValue(3);

        OffsetApi offsets = new OffsetApi(1000, 10);
        StepVerifier.create(Paginate.byOffset(
                        10,
                        offsets::fetch,
                        PageOptions.ofDefaults().withMaxPages(2).withPrefetchPages(3)))
                .expectNextCount(20)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(offsets.fetches).hasValue(2);
    }

    @Test
    void repeatedCursorFailsNamingItAfterTheItemsBeforeIt() {
        // a -> b -> a: an API that loops would page forever.
        List<String> next = List.of("a", "b", "a");
        AtomicInteger fetches = new AtomicInteger();
        Flux<String> items = Paginate.byCursor(cursor -> {
            int page = fetches.getAndIncrement();
            return Mono.just(Page.of(List.of("item" + page), next.get(page)));
        });
        StepVerifier.create(items)
                .expectNext("item0", "item1", "item2")
                .expectErrorSatisfies(e -> assertThat(e)
                        .isExactlyInstanceOf(IllegalStateException.class)
                        .hasMessage("next cursor a repeated: page 3 returned a cursor that an earlier page already"
                                + " returned; paging would loop forever"))
                .verify(TIMEOUT);
        assertThat(fetches).hasValue(3);
    }

    @Test
    void sameCursorTwiceInARowFails() {
        StepVerifier.create(Paginate.<Integer, String>byCursor(cursor -> Mono.just(Page.of(List.of(1), "same"))))
                .expectNext(1, 1)
                .expectErrorMessage("next cursor same repeated: page 2 returned a cursor that an earlier page already"
                        + " returned; paging would loop forever")
                .verify(TIMEOUT);
    }

    @Test
    void fetchErrorPropagatesUnchangedAfterTheItemsBeforeIt() {
        IOException boom = new IOException("boom");
        for (int prefetch = 0; prefetch <= 2; prefetch++) {
            AtomicInteger fetches = new AtomicInteger();
            Flux<Integer> items = Paginate.byCursor(
                    cursor -> fetches.incrementAndGet() < 3
                            ? Mono.just(Page.of(List.of(1, 2), "c" + fetches.get()))
                            : Mono.error(boom),
                    PageOptions.ofDefaults().withPrefetchPages(prefetch));
            StepVerifier.create(items)
                    .expectNext(1, 2, 1, 2)
                    .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
                    .verify(TIMEOUT);
            assertThat(fetches).as("prefetch %d", prefetch).hasValue(3);
        }
    }

    @Test
    void fetchErrorOfAPageFetchedAheadWaitsForTheItemsBeforeIt() {
        IOException boom = new IOException("boom");
        AtomicInteger fetches = new AtomicInteger();
        Flux<Integer> items = Paginate.byCursor(
                cursor -> fetches.incrementAndGet() == 1
                        ? Mono.just(Page.of(List.of(1, 2, 3), "next"))
                        : Mono.error(boom),
                PageOptions.ofDefaults().withPrefetchPages(1));
        StepVerifier.create(items, 1)
                .expectNext(1)
                .then(() -> assertThat(fetches).hasValue(2)) // the failed page was fetched ahead ...
                .thenRequest(2)
                .expectNext(2, 3) // ... yet its error waits for the items before it
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
                .verify(TIMEOUT);
    }

    @Test
    void fetchThatThrowsOrReturnsNullFailsTheStream() {
        IllegalStateException thrown = new IllegalStateException("thrown");
        StepVerifier.create(Paginate.<Integer, Integer>byCursor(cursor -> {
                    throw thrown;
                }))
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(thrown))
                .verify(TIMEOUT);
        StepVerifier.create(Paginate.<Integer, Integer>byCursor(cursor -> null))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isExactlyInstanceOf(NullPointerException.class)
                        .hasMessage("fetch returned null"))
                .verify(TIMEOUT);
        StepVerifier.create(Paginate.<Integer>byOffset(5, (offset, limit) -> null))
                .expectErrorMessage("fetch returned null")
                .verify(TIMEOUT);
    }

    @Test
    void retryRefetchesTheFailedPageWithTheSameCursor() {
        List<Optional<String>> cursors = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        Flux<String> items = Paginate.<String, String>byCursor(
                cursor -> {
                    cursors.add(cursor);
                    if (cursor.isPresent() && failuresLeft.getAndDecrement() > 0) {
                        return Mono.error(new IOException("flaky"));
                    }
                    return Mono.just(cursor.isEmpty() ? Page.of(List.of("a"), "p2") : Page.last(List.of("b")));
                },
                PageOptions.ofDefaults().withRetry(Retry.max(2)));
        StepVerifier.create(items).expectNext("a", "b").expectComplete().verify(TIMEOUT);
        assertThat(cursors).containsExactly(Optional.empty(), Optional.of("p2"), Optional.of("p2"), Optional.of("p2"));
    }

    @Test
    void retryThatGivesUpEndsTheStreamWithItsError() {
        IOException boom = new IOException("boom");
        AtomicInteger fetches = new AtomicInteger();
        Flux<Long> items = Paginate.byOffset(
                10,
                (offset, limit) -> {
                    fetches.incrementAndGet();
                    return Mono.error(boom);
                },
                PageOptions.ofDefaults().withRetry(Retry.max(3)));
        StepVerifier.create(items)
                .expectErrorSatisfies(e -> {
                    assertThat(Exceptions.isRetryExhausted(e)).isTrue();
                    assertThat(e).hasCause(boom);
                })
                .verify(TIMEOUT);
        assertThat(fetches).hasValue(4);
    }

    @Test
    void retryWithBackoffRunsOnVirtualTime() {
        AtomicInteger fetches = new AtomicInteger();
        StepVerifier.withVirtualTime(() -> Paginate.<Integer, Integer>byCursor(
                        cursor -> Mono.defer(() -> fetches.incrementAndGet() < 3
                                ? Mono.error(new IOException("flaky"))
                                : Mono.just(Page.last(List.of(42)))),
                        PageOptions.ofDefaults().withRetry(Retry.fixedDelay(5, Duration.ofSeconds(1)))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(42)
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(fetches).hasValue(3);
    }

    @Test
    void prefetchHidesTheLatencyOfTheNextPage() {
        // Each fetch takes 1 s; the consumer needs 1 s per page. With prefetch 1, fetching overlaps consuming.
        Function<Integer, Flux<Integer>> run = prefetch -> Paginate.<Integer, Integer>byCursor(
                        cursor -> {
                            int page = cursor.orElse(0);
                            return Mono.just(numbered(page, 3, List.of(page))).delayElement(Duration.ofSeconds(1));
                        },
                        PageOptions.ofDefaults().withPrefetchPages(prefetch))
                .concatMap(item -> Mono.just(item).delayElement(Duration.ofSeconds(1)));
        StepVerifier.withVirtualTime(() -> run.apply(0))
                .thenAwait(Duration.ofSeconds(6))
                .expectNext(0, 1, 2)
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.withVirtualTime(() -> run.apply(1))
                .thenAwait(Duration.ofSeconds(4))
                .expectNext(0, 1, 2)
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void cancelCancelsTheFetchInFlightAndFetchesNothingMore() {
        PublisherProbe<Page<Integer, Integer>> second = PublisherProbe.of(Mono.never());
        AtomicInteger fetches = new AtomicInteger();
        Flux<Integer> items = Paginate.byCursor((Optional<Integer> cursor) ->
                fetches.incrementAndGet() == 1 ? Mono.just(Page.of(List.of(1), 2)) : second.mono());
        StepVerifier.create(items)
                .expectNext(1)
                .then(second::assertWasSubscribed)
                .thenCancel()
                .verify(TIMEOUT);
        second.assertWasCancelled();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void cancelRacingWithThePageArrivalLeavesNoFetchSubscribed() {
        for (int round = 0; round < 2_000; round++) {
            List<Sinks.One<Page<Integer, Integer>>> fetches = new CopyOnWriteArrayList<>();
            Flux<Integer> items = Paginate.byCursor(
                    (Optional<Integer> cursor) -> {
                        Sinks.One<Page<Integer, Integer>> sink = Sinks.one();
                        fetches.add(sink);
                        return sink.asMono();
                    },
                    PageOptions.ofDefaults().withPrefetchPages(round % 3));
            List<Integer> received = new CopyOnWriteArrayList<>();
            BaseSubscriber<Integer> subscriber = new BaseSubscriber<>() {
                @Override
                protected void hookOnNext(Integer value) {
                    received.add(value);
                }
            };
            items.subscribe(subscriber);
            fetches.get(0).tryEmitValue(Page.of(List.of(1, 2), 1));
            int page = round;
            RaceTestUtils.race(() -> fetches.get(1).tryEmitValue(Page.of(List.of(3), page)), subscriber::dispose);
            assertThat(received).startsWith(1, 2);
            assertThat(fetches)
                    .allSatisfy(
                            sink -> assertThat(sink.currentSubscriberCount()).isZero());
            assertThat(fetches.size()).isLessThanOrEqualTo(3);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void fetchesOnOtherThreadsNeverOverlapAndKeepOrder(int prefetch) {
        ConcurrencyProbe probe = ConcurrencyProbe.create();
        int pages = 300;
        Flux<Integer> items = Paginate.<Integer, Integer>byCursor(
                        cursor -> probe.wrap(Mono.fromCallable(() -> {
                                    int page = cursor.orElse(0);
                                    List<Integer> list = range(page * 10, page * 10 + 10);
                                    return numbered(page, pages, list);
                                })
                                .subscribeOn(
                                        page(cursor) % 2 == 0 ? Schedulers.parallel() : Schedulers.boundedElastic())),
                        PageOptions.ofDefaults().withPrefetchPages(prefetch))
                .publishOn(Schedulers.single(), 7);
        StepVerifier.create(items)
                .expectNextSequence(range(0, pages * 10))
                .expectComplete()
                .verify(TIMEOUT);
        probe.assertMaxAtMost(1);
        assertThat(probe.total()).isEqualTo(pages);
    }

    private static int page(Optional<Integer> cursor) {
        return cursor.orElse(0);
    }

    @Test
    void manyPagesOfOneItemDoNotOverflowTheStack() {
        int pages = 50_000;
        Flux<Integer> items = Paginate.<Integer, Integer>byCursor(cursor -> {
            int page = cursor.orElse(0);
            return Mono.just(numbered(page, pages, List.of(page)));
        });
        assertThat(items.count().block(TIMEOUT)).isEqualTo(pages);
        Flux<Long> offsets = Paginate.byOffset(
                1,
                (offset, limit) -> Mono.just(offset < pages ? List.of(offset) : List.of()),
                PageOptions.ofDefaults().withPrefetchPages(2));
        assertThat(offsets.count().block(TIMEOUT)).isEqualTo(pages);
    }

    @Test
    void theSubscribersContextReachesEveryFetch() {
        Flux<String> items = Paginate.<String, Integer>byCursor(
                        cursor -> Mono.deferContextual(context -> {
                            String tag = context.<String>get("tag") + cursor.orElse(0);
                            return Mono.just(cursor.isEmpty() ? Page.of(List.of(tag), 1) : Page.last(List.of(tag)));
                        }),
                        PageOptions.ofDefaults().withPrefetchPages(1))
                .contextWrite(Context.of("tag", "t"));
        StepVerifier.create(items).expectNext("t0", "t1").expectComplete().verify(TIMEOUT);
    }

    @Test
    void badArguments() {
        assertThatNullPointerException()
                .isThrownBy(() -> Paginate.byCursor(null))
                .withMessage("fetch");
        assertThatNullPointerException()
                .isThrownBy(() -> Paginate.<Integer, Integer>byCursor(new CursorApi(1, 1), null))
                .withMessage("options");
        assertThatNullPointerException()
                .isThrownBy(() -> Paginate.byOffset(10, null))
                .withMessage("fetch");
        assertThatNullPointerException()
                .isThrownBy(() -> Paginate.byOffset(10, new OffsetApi(1, 1)::fetch, null))
                .withMessage("options");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Paginate.byOffset(0, new OffsetApi(1, 1)::fetch))
                .withMessage("pageSize > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Paginate.byOffset(-5, new OffsetApi(1, 1)::fetch))
                .withMessage("pageSize > 0 required but it was -5");
    }

    @Test
    void itemsOfAllPagesAreInOrderUnderRandomDemand() {
        CursorApi api = new CursorApi(20, 7);
        List<Integer> received = new ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        BaseSubscriber<Integer> subscriber = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                request(1);
            }

            @Override
            protected void hookOnNext(Integer value) {
                received.add(value);
                if (random.nextInt(5) == 0) {
                    request(1 + random.nextInt(9));
                } else if (received.size() % 3 == 0) {
                    request(1);
                }
            }
        };
        Paginate.byCursor(api, PageOptions.ofDefaults().withPrefetchPages(2)).subscribe(subscriber);
        subscriber.requestUnbounded();
        assertThat(received).isEqualTo(range(0, 140));
        assertThat(received.stream().distinct().collect(Collectors.toList())).hasSize(140);
    }
}
