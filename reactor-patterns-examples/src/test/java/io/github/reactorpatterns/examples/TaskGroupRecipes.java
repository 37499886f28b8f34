package io.github.reactorpatterns.examples;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.TaskGroupException;
import io.github.reactorpatterns.concurrent.TaskScope;
import reactor.core.publisher.Mono;

/** {@code asyncio.TaskGroup} and {@code except*}: {@link TaskScope} and {@link TaskGroupException}. */
final class TaskGroupRecipes {

    private TaskGroupRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::processItems[]
    // async def process_item(item): await asyncio.sleep(1); results.append(f"processed_{item}")
    static Mono<String> processItem(String item) {
        return Mono.delay(Duration.ofSeconds(1)).thenReturn("processed_" + item);
    }

    // async with asyncio.TaskGroup() as tg: for item in items: tg.create_task(process_item(item))
    static Mono<List<String>> processItems(List<String> items) {
        return TaskScope.all(items.stream().map(TaskGroupRecipes::processItem).toList());
    }
    // end::processItems[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::processWithHandling[]
    // try: async with TaskGroup() as tg: ...  except* ValueError: ...  except* ConnectionError: ...
    static Mono<Void> processWithHandling(List<String> items, Function<String, Mono<?>> processItem,
                                          Consumer<String> log) {
        return TaskScope.open(scope -> {
                    items.forEach(item -> scope.fork(processItem.apply(item)));   // tg.create_task(...)
                    return Mono.empty();
                })
                .onErrorResume(TaskGroupException.class, group -> {
                    group.exceptionsOf(IllegalArgumentException.class)
                            .forEach(e -> log.accept("Validation error: " + e.getMessage()));
                    group.exceptionsOf(ConnectException.class)
                            .forEach(e -> log.accept("Connection error: " + e.getMessage()));
                    List<Throwable> unhandled = group.exceptions().stream()   // as except*, the rest propagates
                            .filter(e -> !(e instanceof IllegalArgumentException || e instanceof ConnectException))
                            .toList();
                    return unhandled.isEmpty() ? Mono.empty() : Mono.error(new TaskGroupException(unhandled));
                });
    }
    // end::processWithHandling[]
    // spotless:on
}
