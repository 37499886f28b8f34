package io.github.reactorpatterns.redis;

import java.util.Objects;

/**
 * One job taken from a {@link RedisWorkQueue}: its stream entry id, its payload and how often it has been delivered.
 *
 * <p>Delivery is at least once: a job whose worker died, or whose handler failed, is delivered again, so
 * {@link #deliveryCount()} can be above one and a handler must tolerate running a job twice (make it idempotent, for
 * example keyed by {@link #id()}). Immutable.
 */
public final class RedisJob {

    private final String id;
    private final String payload;
    private final long deliveryCount;

    RedisJob(String id, String payload, long deliveryCount) {
        this.id = Objects.requireNonNull(id, "id");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.deliveryCount = deliveryCount;
    }

    /**
     * The job's id: its Redis Stream entry id, unique within the queue.
     *
     * @return for example {@code 1712345678901-0}
     */
    public String id() {
        return id;
    }

    /**
     * The payload given to {@link RedisWorkQueue#put(String)}.
     *
     * @return the payload
     */
    public String payload() {
        return payload;
    }

    /**
     * How many times the job has been delivered, this delivery included.
     *
     * @return {@code 1} on the first delivery
     */
    public long deliveryCount() {
        return deliveryCount;
    }

    RedisJob redelivered() {
        return new RedisJob(id, payload, deliveryCount + 1);
    }

    @Override
    public String toString() {
        return "RedisJob[" + id + ", delivery " + deliveryCount + "]";
    }
}
