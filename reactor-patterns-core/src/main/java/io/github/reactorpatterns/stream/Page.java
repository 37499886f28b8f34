package io.github.reactorpatterns.stream;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One page of a cursor-paginated API: its items and the cursor of the next page, or {@code null} on the last page.
 * The fetch function of {@link Paginate#byCursor(java.util.function.Function)} returns these.
 *
 * <p>Pages are immutable values and safe to share between threads: the constructor copies {@code items} into an
 * unmodifiable list.
 *
 * <pre>{@code
 * Mono<Page<Item, String>> page = client.list(cursor)
 *         .map(r -> new Page<>(r.items(), r.nextCursor()));   // a null next cursor marks the last page
 * }</pre>
 *
 * @param items the items of this page, in order; copied, may be empty, must not contain null
 * @param nextCursor the cursor that fetches the next page, or {@code null} if this is the last page
 * @param <T> the type of the items
 * @param <C> the type of the cursor
 */
public record Page<T, C>(List<T> items, @Nullable C nextCursor) {

    /**
     * Creates a page.
     *
     * @param items the items of this page; copied
     * @param nextCursor the cursor of the next page, or {@code null} if this is the last page
     * @throws NullPointerException if {@code items} is null or contains null
     */
    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /**
     * A page followed by another one.
     *
     * @param items the items of this page; copied
     * @param nextCursor the cursor that fetches the next page
     * @param <T> the type of the items
     * @param <C> the type of the cursor
     * @return a page whose {@link #nextCursor()} is {@code nextCursor}
     * @throws NullPointerException if {@code items} or {@code nextCursor} is null, or {@code items} contains null
     */
    public static <T, C> Page<T, C> of(List<T> items, C nextCursor) {
        return new Page<>(items, Objects.requireNonNull(nextCursor, "nextCursor"));
    }

    /**
     * The last page: no page follows it.
     *
     * @param items the items of this page; copied
     * @param <T> the type of the items
     * @param <C> the type of the cursor
     * @return a page without a next cursor
     * @throws NullPointerException if {@code items} is null or contains null
     */
    public static <T, C> Page<T, C> last(List<T> items) {
        return new Page<>(items, null);
    }

    /**
     * Whether another page follows this one.
     *
     * @return {@code true} if {@link #nextCursor()} is not null
     */
    public boolean hasNext() {
        return nextCursor != null;
    }
}
