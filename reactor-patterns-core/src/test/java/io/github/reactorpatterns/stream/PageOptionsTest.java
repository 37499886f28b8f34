package io.github.reactorpatterns.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;
import reactor.util.retry.Retry;

class PageOptionsTest {

    @Test
    void defaults() {
        PageOptions options = PageOptions.ofDefaults();
        assertThat(options.maxPages()).isEqualTo(PageOptions.DEFAULT_MAX_PAGES).isEqualTo(Long.MAX_VALUE);
        assertThat(options.prefetchPages())
                .isEqualTo(PageOptions.DEFAULT_PREFETCH_PAGES)
                .isZero();
        assertThat(options.retry()).isEmpty();
        assertThat(options).hasToString("PageOptions{maxPages=unlimited, prefetchPages=0, retry=null}");
    }

    @Test
    void withersReturnNewInstancesAndLeaveTheOriginal() {
        Retry retry = Retry.max(2);
        PageOptions base = PageOptions.ofDefaults();
        PageOptions options = base.withMaxPages(7).withPrefetchPages(2).withRetry(retry);
        assertThat(options.maxPages()).isEqualTo(7);
        assertThat(options.prefetchPages()).isEqualTo(2);
        assertThat(options.retry()).containsSame(retry);
        assertThat(base.maxPages()).isEqualTo(Long.MAX_VALUE);
        assertThat(base.prefetchPages()).isZero();
        assertThat(base.retry()).isEmpty();
    }

    @Test
    void badArguments() {
        PageOptions options = PageOptions.ofDefaults();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> options.withMaxPages(0))
                .withMessage("maxPages > 0 required but it was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> options.withMaxPages(-3))
                .withMessage("maxPages > 0 required but it was -3");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> options.withPrefetchPages(-1))
                .withMessage("prefetchPages >= 0 required but it was -1");
        assertThatNullPointerException()
                .isThrownBy(() -> options.withRetry(null))
                .withMessage("retry");
    }
}
