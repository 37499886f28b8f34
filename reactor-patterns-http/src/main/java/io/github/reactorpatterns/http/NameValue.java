package io.github.reactorpatterns.http;

/** One header or query parameter of a request, in the order it was given; immutable. */
record NameValue(String name, String value) {}
