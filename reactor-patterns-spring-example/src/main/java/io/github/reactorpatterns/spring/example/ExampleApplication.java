package io.github.reactorpatterns.spring.example;

import java.time.Duration;

import io.github.reactorpatterns.http.PooledHttpClient;
import io.github.reactorpatterns.queue.WorkQueue;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The example service; run it with {@code ./mvnw -pl reactor-patterns-spring-example -am spring-boot:run}-style. */
@SpringBootApplication
public class ExampleApplication {

    /**
     * The job queue of {@code POST /jobs}: two workers, 100 places, each job posted to the partner API through the
     * shared client (so under its bulkhead and rate limit). No destroy method: the reactor-patterns shutdown
     * lifecycle drains it before the shared event loops go away.
     *
     * @param partner the partner API client
     * @param stats the counters the tests read
     * @return the queue
     */
    @Bean(destroyMethod = "")
    WorkQueue<Job> jobs(@Qualifier("partner-api") PooledHttpClient partner, Stats stats) {
        return WorkQueue.<Job>builder()
                .capacity(100)
                .workers(2)
                .handler(job -> partner.post("/process/" + job.id())
                        .jsonBody(job)
                        .text()
                        .doOnSuccess(body -> stats.jobsDone.incrementAndGet()))
                .onFailure((job, error) -> stats.jobsFailed.incrementAndGet())
                .build();
    }

    /**
     * Counters of the background work, for the tests and for a look in the logs.
     *
     * @return the counters
     */
    @Bean
    Stats stats() {
        return new Stats();
    }

    /** How long a fan-out keeps for itself before the request deadline, to write the partial answer. */
    static final Duration RESPONSE_RESERVE = Duration.ofMillis(100);

    /**
     * Runs the service.
     *
     * @param args Spring Boot's arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
