package io.github.reactorpatterns.internal;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.TestEnvironment;

/** The Reactive Streams TCK for the subscriber behind work-queue jobs, background tasks and task-scope members. */
public class RunOnceSubscriberTckTest extends SubscriberBlackboxVerification<Integer> {

    public RunOnceSubscriberTckTest() {
        super(new TestEnvironment());
    }

    @Override
    public Subscriber<Integer> createSubscriber() {
        return new RunOnceSubscriber<Integer>() {
            @Override
            protected void hookOnEnd(@Nullable Throwable error, boolean cancelled) {}
        };
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
