package io.github.reactorpatterns.http;

import java.io.IOException;
import java.lang.reflect.Type;

import io.github.reactorpatterns.stream.Page;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link PooledHttpClient} reads and writes JSON: request bodies ({@link HttpRequestSpec#jsonBody(Object)}),
 * responses ({@link HttpRequestSpec#json(Class)}, {@link HttpRequestSpec#ndjson(Class)}) and pages
 * ({@link PooledHttpClient#paginate}). The client depends on no JSON library: it uses this interface, implemented
 * for Jackson 2 by {@link Jackson2Codec} and for Jackson 3 (Spring Boot 4's default) by {@link Jackson3Codec}; set
 * one with {@link PooledHttpClient.Builder#jsonCodec(JsonCodec)}, or let {@link #ofClassPath()} pick.
 *
 * <p>Readers are resolved before any response arrives, on the thread that asks for them (a JSON library's first
 * lookup of a type takes locks that must not be taken on an event loop), and may be cached by the codec.
 *
 * <p>Implementations must be thread-safe; the client calls them from any thread, including event loops, where
 * {@link Reader#read(byte[])} and {@link #page} must not block.
 */
public interface JsonCodec {

    /**
     * Returns a reader of JSON documents into values of {@code type}, with everything it needs looked up now.
     *
     * @param type the target type: a {@code Class} or a generic type such as one from {@link GenericType}
     * @param <T> the target type
     * @return a thread-safe reader
     * @throws NullPointerException if {@code type} is null
     */
    <T> Reader<T> reader(Type type);

    /**
     * Writes a value as a JSON document.
     *
     * @param value the value
     * @return the UTF-8 bytes of the document
     * @throws IOException or the library's own unchecked exception, when the value cannot be written
     */
    byte[] write(Object value) throws IOException;

    /**
     * Reads one page of a paginated API: the array at {@code itemsPointer}, each element read by {@code items}, and
     * the text at {@code cursorPointer} as the next cursor (none when missing, null or empty).
     *
     * @param json the page's body
     * @param itemsPointer a JSON Pointer (RFC 6901) to the items array, {@code ""} for the whole document; a
     *        missing or null value is no items
     * @param cursorPointer a JSON Pointer to the next cursor, or null to read no cursor
     * @param items the reader of one item, from this codec's {@link #reader(Type)}
     * @param <T> the item type
     * @return the page
     * @throws IOException or the library's own unchecked exception, when the body is not valid JSON
     * @throws IllegalStateException if the value at {@code itemsPointer} is not an array
     */
    <T> Page<T, String> page(byte[] json, String itemsPointer, @Nullable String cursorPointer, Reader<T> items)
            throws IOException;

    /**
     * A codec for the JSON library on the class path: Jackson 2 ({@code com.fasterxml.jackson.databind}) with a
     * plain {@code ObjectMapper} if it is there (so that code written for earlier versions of this client keeps its
     * behaviour), otherwise Jackson 3 ({@code tools.jackson.databind}) with a plain {@code JsonMapper}. Without
     * either, the returned codec fails every use with an {@link IllegalStateException} naming the dependency to
     * add; requests without JSON work as usual.
     *
     * @return a new codec
     */
    static JsonCodec ofClassPath() {
        if (Jackson2Codec.isPresent()) {
            return Jackson2Codec.ofDefaults();
        }
        if (Jackson3Codec.isPresent()) {
            return Jackson3Codec.ofDefaults();
        }
        return MissingJsonCodec.INSTANCE;
    }

    /**
     * Reads one JSON document into a value. Thread-safe.
     *
     * @param <T> the type of the value
     */
    interface Reader<T> {

        /**
         * Reads a document.
         *
         * @param json the UTF-8 (or UTF-16/32, detected) bytes of the document
         * @return the value, or null for the JSON literal {@code null}
         * @throws IOException or the library's own unchecked exception, when the document is invalid
         */
        @Nullable
        T read(byte[] json) throws IOException;

        /**
         * Reads a document.
         *
         * @param json the document
         * @return the value, or null for the JSON literal {@code null}
         * @throws IOException or the library's own unchecked exception, when the document is invalid
         */
        @Nullable
        T read(String json) throws IOException;
    }
}
