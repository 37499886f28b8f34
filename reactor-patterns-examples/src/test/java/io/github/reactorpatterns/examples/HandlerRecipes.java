package io.github.reactorpatterns.examples;

import java.time.Duration;
import java.util.function.Function;

import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.limit.AsyncSemaphore;
import io.github.reactorpatterns.time.Deadline;
import reactor.core.publisher.Mono;

/**
 * A WebFlux-style handler: one instance per application (a Spring bean), a method per endpoint returning a
 * {@code Mono}, called concurrently by many requests. No Spring needed to show it.
 */
final class HandlerRecipes {

    private HandlerRecipes() {}

    // spotless:off (quoted verbatim by docs/COOKBOOK.md)
    // tag::orderHandler[]
    // FastAPI: background = BackgroundTasks(); @app.post("/orders") async def create_order(order): ...
    //          @app.on_event("shutdown") async def shutdown(): await background.shutdown()
    static final class OrderHandler {
        private final PooledHttpClient inventory;                                 // one pooled client per service
        private final AsyncSemaphore inventoryLimit = AsyncSemaphore.of(10);      // across ALL requests
        private final BackgroundTasks background = BackgroundTasks.create();      // failures are logged
        private final Function<String, Mono<Void>> sendNotification;
        private final Duration stockDeadline;                                     // e.g. 2 s

        OrderHandler(PooledHttpClient inventory, Function<String, Mono<Void>> sendNotification,
                     Duration stockDeadline) {
            this.inventory = inventory;
            this.sendNotification = sendNotification;
            this.stockDeadline = stockDeadline;
        }

        // GET /stock/{sku}: at most 10 inventory calls in flight, whatever the number of requests
        Mono<String> stock(String sku) {
            return inventoryLimit.withPermit(inventory.get("/stock/" + sku).text())
                    .transform(Deadline.within(stockDeadline));   // time spent waiting for a permit counts too
        }

        // POST /orders: saved = await save_order(order); background.add_task(send_notification(order)); return saved
        Mono<String> createOrder(String order) {
            return inventoryLimit.withPermit(inventory.post("/orders").body(order).text())
                    .doOnNext(saved -> background.spawn(sendNotification.apply(saved)));   // not awaited
        }

        // on shutdown (Spring: @PreDestroy, or destroyMethod): cancel what still runs, wait for it, close the pool
        Mono<Void> shutdown() {
            return background.shutdown().then(inventory.close());
        }

        int backgroundTasks() {
            return background.active();
        }
    }
    // end::orderHandler[]
    // spotless:on
}
