package io.github.reactorpatterns.spring.example;

/**
 * An order as posted.
 *
 * @param item what is ordered
 * @param quantity how many
 */
record NewOrder(String item, int quantity) {}
