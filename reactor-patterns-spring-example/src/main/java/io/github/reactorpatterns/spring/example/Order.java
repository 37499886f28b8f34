package io.github.reactorpatterns.spring.example;

/**
 * A saved order.
 *
 * @param id the order number
 * @param item what is ordered
 * @param quantity how many
 */
record Order(long id, String item, int quantity) {}
