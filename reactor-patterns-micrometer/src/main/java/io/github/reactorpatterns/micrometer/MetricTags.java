package io.github.reactorpatterns.micrometer;

import java.util.Objects;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/** The tags every binder puts on its meters. */
final class MetricTags {

    /** The tag that names the instance. */
    static final String NAME = "name";

    private MetricTags() {}

    static Tags of(String name, Iterable<Tag> extra) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(extra, "tags");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return Tags.of(extra).and(NAME, name);
    }
}
