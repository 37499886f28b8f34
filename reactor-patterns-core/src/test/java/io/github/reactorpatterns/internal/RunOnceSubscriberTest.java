package io.github.reactorpatterns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.publisher.PublisherProbe;
import reactor.test.publisher.TestPublisher;
import reactor.test.util.RaceTestUtils;

class RunOnceSubscriberTest {

    /** Records every end as "complete", "error: message" or "cancel". */
    private static final class Recorder extends RunOnceSubscriber<Object> {
        final List<String> ends = new CopyOnWriteArrayList<>();
        final List<Object> values = new CopyOnWriteArrayList<>();

        @Override
        protected void hookOnNext(Object value) {
            values.add(value);
        }

        @Override
        protected void hookOnEnd(@Nullable Throwable error, boolean cancelled) {
            ends.add(cancelled ? "cancel" : error == null ? "complete" : "error: " + error.getMessage());
        }
    }

    @Test
    void reportsCompletionOnceAndPassesValues() {
        Recorder r = new Recorder();
        Flux.just(1, 2, 3).subscribe(r);
        assertThat(r.values).containsExactly(1, 2, 3);
        assertThat(r.ends).containsExactly("complete");
        r.cancel();
        assertThat(r.ends).containsExactly("complete");
        assertThat(r.isDisposed()).isTrue();
    }

    @Test
    void reportsTheError() {
        Recorder r = new Recorder();
        Mono.error(new IOException("boom")).subscribe(r);
        assertThat(r.ends).containsExactly("error: boom");
    }

    @Test
    void cancelBeforeSubscriptionReportsAtOnceAndCancelsTheLateSubscription() {
        Recorder r = new Recorder();
        r.cancel();
        assertThat(r.ends).containsExactly("cancel");
        PublisherProbe<Object> late = PublisherProbe.of(Mono.never());
        late.mono().subscribe(r);
        late.assertWasCancelled();
        assertThat(r.ends).containsExactly("cancel");
    }

    @Test
    void anErrorSignalledWhileCancellingIsTheEnd() {
        Recorder r = new Recorder();
        TestPublisher<Object> source = TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
        source.flux()
                .doOnCancel(() -> source.error(new IOException("cleanup failed")))
                .subscribe(r);
        r.cancel();
        assertThat(r.ends).containsExactly("error: cleanup failed");
    }

    @Test
    void endWithoutAPublisherReportsOnceAndCancelsALateSubscription() {
        Recorder r = new Recorder();
        r.end(new IOException("computed in place"));
        r.end(null);
        r.cancel();
        assertThat(r.ends).containsExactly("error: computed in place");
        PublisherProbe<Object> late = PublisherProbe.of(Mono.never());
        late.mono().subscribe(r);
        late.assertWasCancelled();
    }

    @Test
    void endInPlaceReportsOnceAndLaterEndsAndCancelsReportNothing() {
        Recorder r = new Recorder();
        r.endInPlace(new IOException("computed in place"));
        r.endInPlace(null);
        r.end(null);
        r.cancel();
        assertThat(r.ends).containsExactly("error: computed in place");
        assertThat(r.isDisposed()).isTrue();
    }

    @Test
    void endInPlaceRacingCancelReportsExactlyOnce() {
        for (int i = 0; i < 10_000; i++) {
            Recorder r = new Recorder();
            RaceTestUtils.race(() -> r.endInPlace(null), r::cancel);
            assertThat(r.ends).hasSize(1).first().isIn("complete", "cancel");
            assertThat(r.isDisposed()).isTrue();
        }
    }

    @Test
    void aFatalErrorThrownByTheEndHookReachesTheSignallingThread() {
        OutOfMemoryError oom = new OutOfMemoryError("test: not a real one");
        RunOnceSubscriber<Object> throwing = new RunOnceSubscriber<>() {
            @Override
            protected void hookOnEnd(@Nullable Throwable error, boolean cancelled) {
                throw oom;
            }
        };
        Sinks.Empty<Void> sink = Sinks.empty();
        sink.asMono().subscribe(throwing);
        assertThat(catchThrowable(sink::tryEmitEmpty)).isSameAs(oom);
    }

    @Test
    void completeRacingCancelReportsExactlyOnce() {
        for (int i = 0; i < 10_000; i++) {
            Recorder r = new Recorder();
            Sinks.Empty<Void> sink = Sinks.empty();
            sink.asMono().subscribe(r);
            RaceTestUtils.race(sink::tryEmitEmpty, r::cancel);
            assertThat(r.ends).hasSize(1).first().isIn("complete", "cancel");
        }
    }
}
