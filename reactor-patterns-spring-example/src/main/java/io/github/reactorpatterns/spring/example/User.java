package io.github.reactorpatterns.spring.example;

/**
 * A user of the partner API.
 *
 * @param id the user id
 * @param name the name
 */
record User(int id, String name) {}
