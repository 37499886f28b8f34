package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.TaskScope;
import io.github.reactorpatterns.limit.AsyncLock;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.limit.TokenBucket;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Semaphores shared across calls, a token bucket and a lock: {@code io.github.reactorpatterns.limit}. */
final class LimitRecipes {

    private LimitRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::rateLimitedCall[]
    // sem = asyncio.Semaphore(5)  -- module level: shared by every caller, in every request
    static final AsyncSemaphore SEM = AsyncSemaphore.of(5);

    // async def rate_limited_call(prompt): async with sem: return await api_call(prompt)
    static Mono<String> rateLimitedCall(String prompt, Function<String, Mono<String>> apiCall) {
        return SEM.withPermit(Mono.defer(() -> apiCall.apply(prompt)));   // waits for a permit without a thread
    }

    // async def batch_calls(prompts): return await asyncio.gather(*[rate_limited_call(p) for p in prompts])
    static Mono<List<String>> batchCalls(List<String> prompts, Function<String, Mono<String>> apiCall) {
        return Flux.fromIterable(prompts)
                .flatMapSequential(prompt -> rateLimitedCall(prompt, apiCall))
                .collectList();
    }
    // end::rateLimitedCall[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::fetchAllRateLimited[]
    // fetch_all_rate_limited(urls, max_concurrent=10): one semaphore handed to every rate_limited_fetch of a TaskGroup
    static Mono<List<String>> fetchAllRateLimited(List<String> urls, int maxConcurrent,
                                                  Function<String, Mono<String>> rateLimitedFetch) {
        return Mono.defer(() -> {
            AsyncSemaphore semaphore = AsyncSemaphore.of(maxConcurrent);      // one per call, as in the seed
            return TaskScope.all(urls.stream()
                    .map(url -> semaphore.withPermit(Mono.defer(() -> rateLimitedFetch.apply(url))))
                    .toList());
        });
    }
    // end::fetchAllRateLimited[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::tokenBucket[]
    // bucket = TokenBucket(rate=10.0, burst=20)  -- 10 requests per second, bursts of 20
    static TokenBucket bucket() {
        return TokenBucket.builder().rate(10, Duration.ofSeconds(1)).burst(20).build();
    }

    // async def fetch(client, url): await bucket.acquire(); return await client.get(url)
    static Mono<String> fetch(TokenBucket bucket, String url, Function<String, Mono<String>> get) {
        return bucket.withToken(Mono.defer(() -> get.apply(url)));
    }
    // end::tokenBucket[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::counter[]
    // class Counter: increment() and get() under one asyncio.Lock
    static final class Counter {
        private final AsyncLock lock = AsyncLock.of();
        private int value;                                   // only touched while the lock is held

        Mono<Integer> increment() {
            return lock.withLock(Mono.fromSupplier(() -> ++value));
        }

        Mono<Integer> get() {
            return lock.withLock(Mono.fromSupplier(() -> value));
        }
    }
    // end::counter[]
    // spotless:on
}
