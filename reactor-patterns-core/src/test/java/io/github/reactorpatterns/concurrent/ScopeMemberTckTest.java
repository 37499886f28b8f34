package io.github.reactorpatterns.concurrent;

import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/** The Reactive Streams TCK for the subscriber a {@link TaskScope} puts on its body and forks. */
public class ScopeMemberTckTest extends SubscriberBlackboxVerification<Integer> {

    private static final ScopeMember.Owner OWNER = new ScopeMember.Owner() {
        @Override
        public boolean failed(Throwable error) {
            return true;
        }

        @Override
        public void ended(ScopeMember<?> member) {}

        @Override
        public Context context() {
            return Context.empty();
        }
    };

    public ScopeMemberTckTest() {
        super(new TestEnvironment());
    }

    @Override
    public Subscriber<Integer> createSubscriber() {
        return new ScopeMember<>(OWNER, Sinks.one());
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }
}
