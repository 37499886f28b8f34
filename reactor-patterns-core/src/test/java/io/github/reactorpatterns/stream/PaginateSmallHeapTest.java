package io.github.reactorpatterns.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Pages through 10,000,000 items in pages of 1,000 with a 64 MiB heap: if pages or per-page buffers were retained
 * (as with recursive {@code concatWith}), the boxed items alone (over 160 MB) would not fit. Runs in its own Surefire
 * execution ({@code small-heap} in the core pom) with {@code -Xmx64m}.
 */
@Tag("small-heap")
class PaginateSmallHeapTest {

    private static final long ITEMS = 10_000_000L;
    private static final int PAGE_SIZE = 1_000;

    private static List<Long> page(long offset) {
        long end = Math.min(ITEMS, offset + PAGE_SIZE);
        List<Long> items = new ArrayList<>(PAGE_SIZE);
        for (long i = offset; i < end; i++) {
            items.add(i);
        }
        return items;
    }

    @Test
    void runsWithASmallHeap() {
        assertThat(Runtime.getRuntime().maxMemory())
                .as("this test must run in the small-heap Surefire execution (-Xmx64m)")
                .isLessThanOrEqualTo(64L * 1024 * 1024);
    }

    @Test
    void tenMillionItemsByOffset() {
        Long sum = Paginate.byOffset(PAGE_SIZE, (offset, limit) -> Mono.fromSupplier(() -> page(offset)))
                .reduce(0L, Long::sum)
                .block(Duration.ofMinutes(2));
        assertThat(sum).isEqualTo(ITEMS * (ITEMS - 1) / 2);
    }

    @Test
    void tenMillionItemsByCursorWithPrefetch() {
        Long count = Paginate.<Long, Long>byCursor(
                        (Optional<Long> cursor) -> Mono.fromSupplier(() -> {
                            long offset = cursor.orElse(0L);
                            List<Long> items = page(offset);
                            long next = offset + items.size();
                            return next < ITEMS ? Page.of(items, next) : Page.last(items);
                        }),
                        PageOptions.ofDefaults().withPrefetchPages(2))
                .count()
                .block(Duration.ofMinutes(2));
        assertThat(count).isEqualTo(ITEMS);
    }
}
