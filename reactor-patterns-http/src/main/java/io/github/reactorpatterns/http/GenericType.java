package io.github.reactorpatterns.http;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * A generic type to read JSON into, captured by an anonymous subclass:
 * {@code client.get("/users").json(new GenericType<List<User>>() {})}. The same idea as Jackson's
 * {@code TypeReference}, without depending on one version of Jackson.
 *
 * @param <T> the type to capture
 */
public abstract class GenericType<T> {

    private final Type type;

    /**
     * Captures the type argument of the anonymous subclass.
     *
     * @throws IllegalStateException if the subclass does not give a type argument
     */
    protected GenericType() {
        Type superclass = getClass().getGenericSuperclass();
        if (!(superclass instanceof ParameterizedType)) {
            throw new IllegalStateException(
                    "GenericType must be created with a type argument, as in " + "new GenericType<List<User>>() {}");
        }
        this.type = ((ParameterizedType) superclass).getActualTypeArguments()[0];
    }

    /**
     * Returns the captured type.
     *
     * @return the type argument, e.g. {@code List<User>}
     */
    public final Type type() {
        return type;
    }

    @Override
    public String toString() {
        return "GenericType<" + type.getTypeName() + ">";
    }
}
