package io.github.reactorpatterns.http;

/** Checks of header names (RFC 9110 tokens) and values (no CR, LF or NUL) before anything reaches the wire. */
final class HeaderChecks {

    private HeaderChecks() {}

    /**
     * Returns {@code name} if it is an RFC 9110 token (one or more of {@code !#$%&'*+-.^_`|~}, digits and letters).
     *
     * @throws IllegalArgumentException otherwise
     */
    static String name(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a header name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException("a header name must be a token (RFC 9110) but '" + printable(name)
                        + "' contains " + describe(name.charAt(i)) + " at index " + i);
            }
        }
        return name;
    }

    /**
     * Returns {@code value} if it holds no CR, LF or NUL (which would end the header line or the header block).
     *
     * @throws IllegalArgumentException otherwise
     */
    static String value(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException("the value of header '" + name
                        + "' must not contain CR, LF or NUL but it contains " + describe(c) + " at index " + i);
            }
        }
        return value;
    }

    static boolean isTokenChar(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String describe(char c) {
        switch (c) {
            case '\r':
                return "CR";
            case '\n':
                return "LF";
            case '\0':
                return "NUL";
            default:
                return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
        }
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
