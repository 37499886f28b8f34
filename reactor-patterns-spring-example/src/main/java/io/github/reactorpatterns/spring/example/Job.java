package io.github.reactorpatterns.spring.example;

/**
 * A job of {@code POST /jobs}.
 *
 * @param id the job number
 * @param payload what to process
 */
record Job(long id, String payload) {}
