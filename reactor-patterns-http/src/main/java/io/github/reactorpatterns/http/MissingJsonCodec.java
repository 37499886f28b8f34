package io.github.reactorpatterns.http;

import java.lang.reflect.Type;

import io.github.reactorpatterns.stream.Page;
import org.jspecify.annotations.Nullable;

/** The codec when no JSON library is on the class path: every use says which one to add. */
final class MissingJsonCodec implements JsonCodec {

    static final MissingJsonCodec INSTANCE = new MissingJsonCodec();

    private MissingJsonCodec() {}

    private static IllegalStateException missing() {
        return new IllegalStateException("no JSON library on the class path: add com.fasterxml.jackson.core:"
                + "jackson-databind (Jackson 2) or tools.jackson.core:jackson-databind (Jackson 3), or set "
                + "PooledHttpClient.Builder.jsonCodec(...)");
    }

    @Override
    public <T> Reader<T> reader(Type type) {
        throw missing();
    }

    @Override
    public byte[] write(Object value) {
        throw missing();
    }

    @Override
    public <T> Page<T, String> page(byte[] json, String itemsPointer, @Nullable String cursorPointer, Reader<T> items) {
        throw missing();
    }

    @Override
    public String toString() {
        return "MissingJsonCodec";
    }
}
