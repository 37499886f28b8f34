package io.github.reactorpatterns.http;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.github.reactorpatterns.stream.Page;
import org.jspecify.annotations.Nullable;

/**
 * The {@link JsonCodec} for Jackson 2 ({@code com.fasterxml.jackson.databind}).
 *
 * <p>Each reader is an {@code ObjectReader} whose deserializer is looked up when the reader is made (on the
 * caller's thread, not on an event loop, where Jackson's deserializer-cache lock would block); readers are cached
 * per type (up to {@value #MAX_CACHED_READERS} types). Jackson's exceptions pass through unchanged. Thread-safe.
 */
public final class Jackson2Codec implements JsonCodec {

    /** How many types the codec keeps readers for; readers of further types are made afresh at each request. */
    public static final int MAX_CACHED_READERS = 512;

    private final ObjectMapper mapper;
    private final ObjectReader treeReader;
    private final ConcurrentHashMap<Type, Jackson2Reader<?>> readers = new ConcurrentHashMap<>();

    private Jackson2Codec(ObjectMapper mapper) {
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
    public static Jackson2Codec of(ObjectMapper mapper) {
        return new Jackson2Codec(Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * Returns a codec on a plain {@code new ObjectMapper()}.
     *
     * @return a new codec
     */
    public static Jackson2Codec ofDefaults() {
        return new Jackson2Codec(new ObjectMapper());
    }

    /**
     * Returns the mapper this codec uses.
     *
     * @return the mapper
     */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Reader<T> reader(Type type) {
        Objects.requireNonNull(type, "type");
        Jackson2Reader<?> cached = readers.get(type);
        if (cached == null) {
            cached = new Jackson2Reader<>(mapper.readerFor(mapper.constructType(type)));
            if (readers.size() < MAX_CACHED_READERS) {
                Jackson2Reader<?> raced = readers.putIfAbsent(type, cached);
                cached = raced != null ? raced : cached;
            }
        }
        return (Reader<T>) cached;
    }

    @Override
    public byte[] write(Object value) throws IOException {
        return mapper.writeValueAsBytes(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Page<T, String> page(byte[] json, String itemsPointer, @Nullable String cursorPointer, Reader<T> items)
            throws IOException {
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
                        items instanceof Jackson2Reader
                                ? ((Jackson2Reader<T>) items).read(element)
                                : items.read(mapper.writeValueAsString(element)));
            }
        }
        String cursor = null;
        if (cursorPointer != null && root != null) {
            JsonNode next = root.at(cursorPointer);
            String text = next.isMissingNode() || next.isNull() ? "" : next.asText();
            cursor = text.isEmpty() ? null : text;
        }
        return new Page<>(list, cursor);
    }

    static boolean isPresent() {
        try {
            Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, Jackson2Codec.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Jackson2Codec[" + mapper.getClass().getName() + "]";
    }

    /** A reader on an {@code ObjectReader}. */
    private static final class Jackson2Reader<T> implements Reader<T> {
        private final ObjectReader reader;

        Jackson2Reader(ObjectReader reader) {
            this.reader = reader;
        }

        @Override
        public @Nullable T read(byte[] json) throws IOException {
            return reader.readValue(json);
        }

        @Override
        public @Nullable T read(String json) throws IOException {
            return reader.readValue(json);
        }

        @Nullable
        T read(JsonNode node) throws IOException {
            return reader.readValue(node);
        }
    }
}
