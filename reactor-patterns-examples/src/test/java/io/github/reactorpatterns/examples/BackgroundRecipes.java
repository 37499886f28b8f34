package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.function.Consumer;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Fire-and-forget tasks that are kept, reported and cancelled at shutdown: {@link BackgroundTasks}. */
final class BackgroundRecipes {

    private BackgroundRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::createBackgroundTask[]
    // _background_tasks: set[Task] = set()  -- keeps a strong reference until the task ends
    static final BackgroundTasks BACKGROUND_TASKS = BackgroundTasks.create();   // failures are logged

    // def create_background_task(coro): task = create_task(coro); _background_tasks.add(task); add_done_callback(...)
    static Disposable createBackgroundTask(Mono<?> coro) {
        return BACKGROUND_TASKS.spawn(coro);                 // dispose() is task.cancel()
    }
    // end::createBackgroundTask[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::taskManager[]
    // class TaskManager: spawn(coro) / async shutdown(): cancel every task, gather(..., return_exceptions=True)
    static Mono<Void> taskManager(Mono<?> first, Mono<?> second) {
        BackgroundTasks manager = BackgroundTasks.create();  // TaskManager()
        manager.spawn(first);                                // manager.spawn(coro)
        manager.spawn(second);
        return manager.shutdown();                           // completes when every cancellation has finished
    }
    // end::taskManager[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::backgroundWorker[]
    // async def background_worker(name): while True: print(f"Worker {name} running..."); await asyncio.sleep(5)
    static Flux<Long> backgroundWorker(String name, Consumer<String> print) {
        return Flux.interval(Duration.ZERO, Duration.ofSeconds(5))
                .doOnNext(tick -> print.accept("Worker " + name + " running..."));
    }

    // main(): task = create_task(background_worker("processor")); await asyncio.sleep(20); task.cancel(); await task
    static Mono<Void> main(Consumer<String> print) {
        return backgroundWorker("processor", print)
                .takeUntilOther(Mono.delay(Duration.ofSeconds(20)))   // "other work", then cancel the worker
                .then();                                              // cancelling is not an error: no suppress()
    }
    // end::backgroundWorker[]
    // spotless:on
}
