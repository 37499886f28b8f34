package io.github.reactorpatterns.limit;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One asynchronous lock per key: tasks for the same key run one at a time in subscription order, tasks for
 * different keys run in parallel. The reactive form of a {@code dict[key, asyncio.Lock]}, without its leak: an entry
 * exists only while its key is held or awaited, so a million distinct keys leave the map empty afterwards.
 *
 * <pre>{@code
 * final KeyedLock<String> perAccount = KeyedLock.of();
 * Mono<Balance> transfer(String account, Mono<Balance> update) {
 *     return perAccount.withLock(account, update);
 * }
 * }</pre>
 *
 * <p>Each lock behaves like {@link AsyncLock}: not reentrant, FIFO, released exactly once on completion, error or
 * cancel. Keys must have consistent {@code equals}/{@code hashCode}. Instances are thread-safe.
 *
 * @param <K> the type of the keys
 */
public final class KeyedLock<K> {

    private static final BiFunction<Object, Entry, Entry> RETAIN = (k, e) -> {
        Entry entry = e == null ? new Entry() : e;
        entry.users++;
        return entry;
    };

    private final ConcurrentHashMap<K, Entry> locks = new ConcurrentHashMap<>();

    private KeyedLock() {}

    /**
     * Creates a keyed lock with no key held.
     *
     * @param <K> the type of the keys
     * @return a new keyed lock
     */
    public static <K> KeyedLock<K> of() {
        return new KeyedLock<>();
    }

    /**
     * Runs {@code task} holding the lock for {@code key}: subscribed once every earlier subscription for an equal key
     * has finished; the lock is released exactly once when the task completes, fails or is cancelled (also while
     * still waiting). The task's signals pass through unchanged.
     *
     * @param key the key to lock
     * @param task the critical section
     * @param <T> the type of the task's value
     * @return a {@code Mono} with the task's signals
     * @throws NullPointerException if {@code key} or {@code task} is null
     */
    public <T> Mono<T> withLock(K key, Mono<T> task) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(task, "task");
        return Mono.defer(() -> {
            Entry entry = retain(key);
            return entry.semaphore.withPermit(task).doFinally(signal -> dispose(key));
        });
    }

    /**
     * Runs {@code task} holding the lock for {@code key} from the grant until the {@code Flux} completes, fails or
     * is cancelled.
     *
     * @param key the key to lock
     * @param task the critical section
     * @param <T> the type of the task's elements
     * @return a {@code Flux} with the task's signals
     * @throws NullPointerException if {@code key} or {@code task} is null
     */
    public <T> Flux<T> withLock(K key, Flux<T> task) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(task, "task");
        return Flux.defer(() -> {
            Entry entry = retain(key);
            return entry.semaphore.withPermit(task).doFinally(signal -> dispose(key));
        });
    }

    /**
     * Whether some subscription holds the lock for {@code key} right now (a snapshot).
     *
     * @param key the key
     * @return {@code true} if the key is locked
     * @throws NullPointerException if {@code key} is null
     */
    public boolean isLocked(K key) {
        Entry entry = locks.get(Objects.requireNonNull(key, "key"));
        return entry != null && entry.semaphore.availablePermits() == 0;
    }

    /**
     * The number of keys that are held or awaited right now (a snapshot); {@code 0} when idle.
     *
     * @return the number of live entries
     */
    public int size() {
        return locks.size();
    }

    private Entry retain(K key) {
        return locks.compute(key, RETAIN);
    }

    private void dispose(K key) {
        locks.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }

    /** A key's lock and the number of subscriptions holding or awaiting it; {@code users} changes inside compute. */
    private static final class Entry {
        final AsyncSemaphore semaphore = AsyncSemaphore.of(1);
        int users;
    }

    @Override
    public String toString() {
        return "KeyedLock[keys=" + locks.size() + "]";
    }
}
