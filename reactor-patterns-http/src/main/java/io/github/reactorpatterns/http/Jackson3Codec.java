package io.github.reactorpatterns.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.github.reactorpatterns.stream.Page;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link JsonCodec} for Jackson 3 ({@code tools.jackson.databind}), Spring Boot 4's default.
 *
 * <p>Each reader is an {@code ObjectReader} whose deserializer is looked up when the reader is made (on the
 * caller's thread, not on an event loop, where Jackson's deserializer-cache lock would block); readers are cached
 * per type (up to {@value #MAX_CACHED_READERS} types). Jackson's exceptions pass through unchanged. Thread-safe.
 */
public final class Jackson3Codec implements JsonCodec {

    /** How many types the codec keeps readers for; readers of further types are made afresh at each request. */
    public static final int MAX_CACHED_READERS = 512;

    private final JsonMapper mapper;
    private final ObjectReader treeReader;
    private final ConcurrentHashMap<Type, Jackson3Reader<?>> readers = new ConcurrentHashMap<>();

    private Jackson3Codec(JsonMapper mapper) {
        this.mapper = mapper;
        this.treeReader = mapper.readerFor(JsonNode.class);
    }

    /**
     * Returns a codec on {@code mapper}, e.g. one configured by the application.
     *
     * @param mapper the mapper; it must not be reconfigured afterwards
     * @return a new codec
     * @throws NullPointerException if {@code mapper} is null
     */
    public static Jackson3Codec of(JsonMapper mapper) {
        return new Jackson3Codec(Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * Returns a codec on a plain {@code JsonMapper.builder().build()}.
     *
     * @return a new codec
     */
    public static Jackson3Codec ofDefaults() {
        return new Jackson3Codec(JsonMapper.builder().build());
    }

    /**
     * Returns the mapper this codec uses.
     *
     * @return the mapper
     */
    public JsonMapper mapper() {
        return mapper;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Reader<T> reader(Type type) {
        Objects.requireNonNull(type, "type");
        Jackson3Reader<?> cached = readers.get(type);
        if (cached == null) {
            cached = new Jackson3Reader<>(mapper.readerFor(mapper.constructType(type)));
            if (readers.size() < MAX_CACHED_READERS) {
                Jackson3Reader<?> raced = readers.putIfAbsent(type, cached);
                cached = raced != null ? raced : cached;
            }
        }
        return (Reader<T>) cached;
    }

    @Override
    public byte[] write(Object value) {
        return mapper.writeValueAsBytes(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Page<T, String> page(byte[] json, String itemsPointer, @Nullable String cursorPointer, Reader<T> items) {
        JsonNode root = treeReader.readTree(json);
        List<T> list = List.of();
        JsonNode node = root == null ? null : root.at(itemsPointer);
        if (node != null && !node.isMissingNode() && !node.isNull()) {
            if (!node.isArray()) {
                throw new IllegalStateException(
                        "expected a JSON array at '" + itemsPointer + "' but found " + node.getNodeType());
            }
            list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(
                        items instanceof Jackson3Reader
                                ? ((Jackson3Reader<T>) items).read(element)
                                : readForeign(items, mapper.writeValueAsString(element)));
            }
        }
        String cursor = null;
        if (cursorPointer != null && root != null) {
            JsonNode next = root.at(cursorPointer);
            String text = next.isMissingNode() || next.isNull() ? "" : (next.isValueNode() ? next.asString() : "");
            cursor = text.isEmpty() ? null : text;
        }
        return new Page<>(list, cursor);
    }

    private static <T> @Nullable T readForeign(Reader<T> items, String json) {
        try {
            return items.read(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isPresent() {
        try {
            Class.forName("tools.jackson.databind.json.JsonMapper", false, Jackson3Codec.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Jackson3Codec[" + mapper.getClass().getName() + "]";
    }

    /** A reader on an {@code ObjectReader}. */
    private static final class Jackson3Reader<T> implements Reader<T> {
        private final ObjectReader reader;

        Jackson3Reader(ObjectReader reader) {
            this.reader = reader;
        }

        @Override
        public @Nullable T read(byte[] json) {
            return reader.readValue(json);
        }

        @Override
        public @Nullable T read(String json) {
            return reader.readValue(json);
        }

        @Nullable
        T read(JsonNode node) {
            return reader.readValue(node);
        }
    }
}
