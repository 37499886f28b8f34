package io.github.reactorpatterns.spring.example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.github.reactorpatterns.concurrent.Gather;
import io.github.reactorpatterns.concurrent.Outcome;
import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.lifecycle.BackgroundTasks;
import io.github.reactorpatterns.queue.WorkQueue;
import io.github.reactorpatterns.spring.boot.ReactorPatterns;
import io.github.reactorpatterns.time.Deadline;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The three endpoints of the FastAPI seed, on WebFlux. */
@RestController
class ExampleController {

    private final Map<Long, Order> orders = new ConcurrentHashMap<>();
    private final AtomicLong nextOrder = new AtomicLong(1);
    private final BackgroundTasks background;
    private final WebClient partnerWeb;
    private final WebClient notifications;
    private final PooledHttpClient partnerPooled;
    private final WorkQueue<Job> jobs;
    private final Stats stats;

    ExampleController(
            BackgroundTasks background,
            @ReactorPatterns("partner-api") WebClient partnerWeb,
            @ReactorPatterns("notifications") WebClient notifications,
            @ReactorPatterns("partner-api") PooledHttpClient partnerPooled,
            WorkQueue<Job> jobs,
            Stats stats) {
        this.background = background;
        this.partnerWeb = partnerWeb;
        this.notifications = notifications;
        this.partnerPooled = partnerPooled;
        this.jobs = jobs;
        this.stats = stats;
    }

    /** Saves the order, answers at once, and notifies in the background (FastAPI's {@code BackgroundTasks}). */
    @PostMapping("/orders")
    Mono<ResponseEntity<Order>> createOrder(@RequestBody NewOrder order) {
        Order saved = new Order(nextOrder.getAndIncrement(), order.item(), order.quantity());
        orders.put(saved.id(), saved);
        background.spawn(notifications
                .post()
                .uri("/notify/{id}", saved.id())
                .bodyValue(saved)
                .retrieve()
                .toBodilessEntity()
                .doOnSuccess(response -> stats.notificationsSent.incrementAndGet())
                .doOnError(error -> stats.notificationsFailed.incrementAndGet()));
        return Mono.just(ResponseEntity.status(HttpStatus.CREATED).body(saved));
    }

    /**
     * Fetches every user of {@code ids} from the partner API, through the filtered WebClient or (with
     * {@code via=pooled}) the PooledHttpClient; both share one bulkhead and one rate limit. Each id that fails, or
     * is not back shortly before the request's deadline, is reported in {@code failures}.
     */
    @GetMapping("/users/{ids}")
    Mono<UserBatch> users(
            @PathVariable("ids") List<Integer> ids, @RequestParam(name = "via", defaultValue = "web") String via) {
        boolean pooled = "pooled".equals(via);
        return Deadline.remaining()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(left -> {
                    // settle every id a little before the request deadline, keeping each result that is back by then
                    Function<Flux<Integer>, Flux<Outcome<User>>> settle = left.map(
                                    l -> l.minus(ExampleApplication.RESPONSE_RESERVE))
                            .filter(budget -> !budget.isNegative() && !budget.isZero())
                            .<Function<Flux<Integer>, Flux<Outcome<User>>>>map(
                                    budget -> Gather.settledWithin(budget, 64, (Integer id) -> fetch(id, pooled)))
                            .orElseGet(() -> Gather.settled(64, (Integer id) -> fetch(id, pooled)));
                    return Flux.fromIterable(ids)
                            .transform(settle)
                            .collectList()
                            .map(outcomes -> batch(ids, outcomes));
                });
    }

    private Mono<User> fetch(int id, boolean pooled) {
        return pooled
                ? partnerPooled.get("/users/" + id).json(User.class)
                : partnerWeb.get().uri("/users/{id}", id).retrieve().bodyToMono(User.class);
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static UserBatch batch(List<Integer> ids, List<Outcome<User>> outcomes) {
        List<User> users = new ArrayList<>();
        Map<Integer, String> failures = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            Outcome<User> outcome = outcomes.get(i);
            if (outcome.value().isPresent()) {
                users.add(outcome.value().get());
            } else {
                failures.put(
                        ids.get(i),
                        outcome.error().map(ExampleController::describe).orElse("no user"));
            }
        }
        return new UserBatch(users, failures);
    }

    /** Queues the job; 202 once accepted, 503 when the queue is full or shutting down. */
    @PostMapping("/jobs")
    Mono<ResponseEntity<Map<String, Object>>> submit(@RequestBody Job job) {
        if (jobs.offer(job)) {
            return Mono.just(ResponseEntity.accepted().body(Map.of("id", job.id(), "queued", jobs.size())));
        }
        return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("id", job.id())));
    }
}
