package io.github.reactorpatterns.spring.example;

import java.util.concurrent.atomic.AtomicInteger;

/** Counters of the work that outlives a request. */
final class Stats {
    final AtomicInteger notificationsSent = new AtomicInteger();
    final AtomicInteger notificationsFailed = new AtomicInteger();
    final AtomicInteger jobsDone = new AtomicInteger();
    final AtomicInteger jobsFailed = new AtomicInteger();
}
