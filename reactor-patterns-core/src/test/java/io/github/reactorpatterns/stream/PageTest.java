package io.github.reactorpatterns.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class PageTest {

    @Test
    void ofHasNextCursorAndLastHasNone() {
        Page<String, Integer> page = Page.of(List.of("a", "b"), 2);
        assertThat(page.items()).containsExactly("a", "b");
        assertThat(page.nextCursor()).isEqualTo(2);
        assertThat(page.hasNext()).isTrue();

        Page<String, Integer> last = Page.last(List.of("c"));
        assertThat(last.nextCursor()).isNull();
        assertThat(last.hasNext()).isFalse();
        assertThat(last).isEqualTo(new Page<>(List.of("c"), null));
    }

    @Test
    void itemsAreCopiedAndUnmodifiable() {
        List<String> items = new ArrayList<>(List.of("a"));
        Page<String, String> page = Page.last(items);
        items.add("b");
        assertThat(page.items()).containsExactly("a");
        assertThatThrownBy(() -> page.items().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badArguments() {
        assertThatNullPointerException().isThrownBy(() -> Page.last(null)).withMessage("items");
        assertThatNullPointerException()
                .isThrownBy(() -> Page.of(List.of(), null))
                .withMessage("nextCursor");
        assertThatNullPointerException().isThrownBy(() -> Page.of(null, "c")).withMessage("items");
        assertThatNullPointerException().isThrownBy(() -> Page.last(Arrays.asList("a", null)));
    }
}
