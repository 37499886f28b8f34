package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.queue.WorkQueue;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code asyncio.Queue} with producers and workers: {@link WorkQueue}, and {@link Gather#pipeline} for a pipeline. */
final class QueueRecipes {

    private QueueRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::runPipeline[]
    // @dataclass class Job: id: int; url: str
    record Job(long id, String url) {
    }

    // run_pipeline(urls, num_workers=5): producer -> Queue(maxsize=100) -> workers; a failed job is logged, not fatal
    static Mono<List<String>> runPipeline(List<String> urls, int numWorkers, Function<Job, Mono<String>> processJob,
                                          BiConsumer<Job, Throwable> log) {
        return Flux.fromIterable(urls)
                .index((i, url) -> new Job(i, url))                                     // producer
                .transform(Gather.pipeline(100, numWorkers, (Job job) -> processJob.apply(job)
                        .doOnError(e -> log.accept(job, e))))                             // worker's except clause
                .filter(Outcome::isSuccess)
                .flatMapIterable(outcome -> outcome.value().stream().toList())
                .collectList();                                                         // no POISON needed: the end
    }                                                                                   // of the Flux ends the workers
    // end::runPipeline[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::producerConsumer[]
    // main(): queue = asyncio.Queue(maxsize=5); await gather(producer(queue), consumer(queue))
    static Mono<Void> main(Consumer<Integer> consume) {
        return Mono.defer(() -> {
            WorkQueue<Integer> queue = WorkQueue.<Integer>builder()
                    .capacity(5)
                    .workers(1)                                                 // the consumer
                    .handler(item -> Mono.fromRunnable(() -> consume.accept(item)))
                    .build();
            Mono<Void> producer = Flux.range(0, 10)
                    .delayElements(Duration.ofMillis(100))                       // await asyncio.sleep(0.1)
                    .concatMap(queue::put)                                       // waits while the queue is full
                    .then();
            return producer
                    .then(queue.join())                                          // every item consumed
                    .then(queue.shutdown(Duration.ZERO))                         // instead of the None sentinel
                    .then();
        });
    }
    // end::producerConsumer[]
    // spotless:on
}
