package io.github.reactorpatterns.stress.limit;

import io.github.reactorpatterns.limit.Permit;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/** Requests the permit and keeps whatever reaches {@code onNext}, even after its own cancel. */
final class RecordingSubscriber implements CoreSubscriber<Permit> {

    volatile Subscription subscription;
    volatile Permit permit;

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(Permit p) {
        permit = p;
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}

    /** Gives back a permit that reached the subscriber. */
    int releaseDelivered() {
        Permit p = permit;
        if (p == null) {
            return 0;
        }
        p.release();
        return 1;
    }
}
