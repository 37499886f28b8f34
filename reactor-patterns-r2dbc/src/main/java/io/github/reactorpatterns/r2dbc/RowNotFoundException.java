package io.github.reactorpatterns.r2dbc;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A per-key fetch ({@link Database#fetchEach}) found no row for a key: the query returned nothing.
 */
public class RowNotFoundException extends NoSuchElementException {

    private static final long serialVersionUID = 1L;

    private final transient Object key;
    /** The query that returned nothing. */
    private final String sql;

    /**
     * Creates the exception.
     *
     * @param key the key that has no row
     * @param sql the query that returned nothing
     * @throws NullPointerException if {@code key} or {@code sql} is null
     */
    public RowNotFoundException(Object key, String sql) {
        super("no row for key " + Objects.requireNonNull(key, "key") + ": " + Objects.requireNonNull(sql, "sql"));
        this.key = key;
        this.sql = sql;
    }

    /**
     * The key that has no row.
     *
     * @return the key
     */
    public Object key() {
        return key;
    }

    /**
     * The query that returned nothing.
     *
     * @return the SQL
     */
    public String sql() {
        return sql;
    }
}
