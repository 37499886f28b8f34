package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.lifecycle.ReactiveMain;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** {@code asyncio.run(main())} with SIGINT/SIGTERM handlers and a shutdown coroutine: {@link ReactiveMain}. */
final class ShutdownRecipes {

    private ShutdownRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::entryPoint[]
    // main(): loop.add_signal_handler(SIGINT/SIGTERM, shutdown); await run_server()  -- and shutdown(sig, loop)
    // cancels every task, gathers them and stops the loop. Call it from public static void main:
    //     System.exit(ShutdownRecipes.runServer(server, background, connectionPool));
    static int runServer(Mono<Void> server, BackgroundTasks background, Disposable... resources) {
        return ReactiveMain.run(server, Duration.ofSeconds(10), background, resources);
    }   // SIGINT/SIGTERM: cancel the server, shut the background tasks down, dispose the resources; exit 130/143
    // end::entryPoint[]
    // spotless:on

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::simpleMain[]
    // async def main(): results = await fetch_all_data(); process(results)   +   asyncio.run(main())
    static int simpleMain(Mono<List<String>> fetchAllData, Consumer<List<String>> process) {
        return ReactiveMain.run(fetchAllData.doOnNext(process), Duration.ofSeconds(5));   // 0 on success, 1 on error
    }
    // end::simpleMain[]
    // spotless:on
}
