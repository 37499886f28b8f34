package io.github.reactorpatterns.stress.limit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;

import io.github.reactorpatterns.limit.TokenBucket;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/** jcstress tests of {@link TokenBucket}'s lock-free {@code tryAcquire}: one CAS, never over-grants. */
public final class TokenBucketStress {

    private TokenBucketStress() {}

    /** Two callers race for the last token: exactly one gets it. */
    @JCStressTest
    @Outcome(
            id = {"true, false", "false, true"},
            expect = ACCEPTABLE,
            desc = "exactly one caller got the token")
    @Outcome(id = "true, true", expect = FORBIDDEN, desc = "one token granted twice")
    @Outcome(id = "false, false", expect = FORBIDDEN, desc = "an available token was refused to both")
    @State
    public static class TryAcquireRace {
        final TokenBucket bucket =
                TokenBucket.builder().rate(1, Duration.ofHours(1)).build();

        @Actor
        public void first(ZZ_Result r) {
            r.r1 = bucket.tryAcquireNow(1);
        }

        @Actor
        public void second(ZZ_Result r) {
            r.r2 = bucket.tryAcquireNow(1);
        }
    }
}
