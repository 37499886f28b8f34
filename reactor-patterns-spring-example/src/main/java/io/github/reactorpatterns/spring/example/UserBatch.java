package io.github.reactorpatterns.spring.example;

import java.util.List;
import java.util.Map;

/**
 * A fan-out answer: partial failures per id, never one failure for all.
 *
 * @param users the users found, in the order asked
 * @param failures for each id that failed, why
 */
record UserBatch(List<User> users, Map<Integer, String> failures) {}
