package io.github.reactorpatterns.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A scheduler whose clock the test moves by hand and whose timers never fire: it lets a test reach a deadline that
 * has passed by the clock while its expiry timer has not run yet (what happens when a thread is busy at that
 * instant), deterministically.
 */
final class FrozenTimerScheduler implements Scheduler {

    private final AtomicLong nanos = new AtomicLong();

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long now(TimeUnit unit) {
        return unit.convert(nanos.get(), TimeUnit.NANOSECONDS);
    }

    @Override
    public Disposable schedule(Runnable task) {
        task.run();
        return Disposables.disposed();
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return Disposables.single();
    }

    @Override
    public Worker createWorker() {
        return Schedulers.immediate().createWorker();
    }
}
