package io.github.reactorpatterns.http;

import java.util.Objects;

import reactor.core.Disposable;
import reactor.core.Disposables;

/**
 * The clients (or other resources) one test creates, disposed together after it: hold one in a
 * {@code @AutoClose} instance field and wrap each client in {@link #add}, instead of a {@code try}/{@code finally}
 * per client.
 */
final class Clients implements AutoCloseable {

    private final Disposable.Composite all = Disposables.composite();

    /** Registers a resource to dispose after the test and returns it. */
    <T extends Disposable> T add(T resource) {
        Objects.requireNonNull(resource, "resource");
        if (!all.add(resource)) {
            resource.dispose();
            throw new IllegalStateException("the test's clients are already disposed");
        }
        return resource;
    }

    @Override
    public void close() {
        all.dispose();
    }
}
