package io.github.reactorpatterns.r2dbc;

import java.util.Objects;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Statement;

/** Checks and binds SQL text and its arguments; reads SQLSTATEs. */
final class Sql {

    private Sql() {}

    /**
     * Checks {@code sql} and {@code args} at call time: not null, no null argument, and as many arguments as the
     * highest PostgreSQL bind marker ({@code $1}, {@code $2}, ...) outside literals, quoted names and comments.
     */
    static Object[] check(String sql, Object[] args) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(args, "args");
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                throw new NullPointerException("args[" + i + "]");
            }
        }
        int markers = highestMarker(sql);
        if (markers != args.length) {
            throw new IllegalArgumentException("the SQL has " + markers + " bind marker" + (markers == 1 ? "" : "s")
                    + (markers == 0 ? "" : " ($1 to $" + markers + ")") + " but " + args.length + " argument"
                    + (args.length == 1 ? " was" : "s were") + " given: " + sql);
        }
        return args.clone();
    }

    static Statement bind(Statement statement, Object[] args) {
        for (int i = 0; i < args.length; i++) {
            statement.bind(i, args[i]);
        }
        return statement;
    }

    /** The highest {@code $n} marker, skipping '...' literals, "..." names, $tag$...$tag$ bodies and comments. */
    static int highestMarker(String sql) {
        int highest = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(sql, i, c);
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '$') {
                int j = i + 1;
                if (j < n && Character.isDigit(sql.charAt(j))) {
                    while (j < n && Character.isDigit(sql.charAt(j))) {
                        j++;
                    }
                    if (i == 0 || !Character.isLetterOrDigit(sql.charAt(i - 1)) && sql.charAt(i - 1) != '_') {
                        highest = Math.max(highest, Integer.parseInt(sql.substring(i + 1, j)));
                    }
                    i = j;
                } else {
                    while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                        j++;
                    }
                    if (j < n && sql.charAt(j) == '$') {
                        String tag = sql.substring(i, j + 1);
                        int end = sql.indexOf(tag, j + 1);
                        i = end < 0 ? n : end + tag.length();
                    } else {
                        i = j;
                    }
                }
            } else {
                i++;
            }
        }
        return highest;
    }

    private static int skipQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    static boolean hasSqlState(Throwable error, String... states) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof R2dbcException r2dbc && r2dbc.getSqlState() != null) {
                for (String state : states) {
                    if (state.equals(r2dbc.getSqlState())) {
                        return true;
                    }
                }
                return false;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
