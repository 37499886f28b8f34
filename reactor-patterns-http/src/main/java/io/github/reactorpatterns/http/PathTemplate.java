package io.github.reactorpatterns.http;

import java.nio.charset.StandardCharsets;

/**
 * Request URIs: the check of an already-encoded URI reference, and the expansion of a path template whose
 * {@code {name}} placeholders are replaced, in order, by percent-encoded path segments.
 */
final class PathTemplate {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathTemplate() {}

    /**
     * Returns {@code uri} if it can be sent as it is: no white space or control character (a space would have to be
     * encoded; CR or LF would split the request line) and every {@code %} starting a two-digit hex escape.
     *
     * @throws IllegalArgumentException otherwise, saying where and what to use instead
     */
    static String checkEncoded(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("uri must be an encoded URI reference but it contains "
                        + (c == ' ' ? "a space" : String.format("the control character U+%04X", (int) c))
                        + " at index " + i + ": " + printable(uri)
                        + " (encode it, or use a path template: get(\"/items/{name}\", name))");
            }
            if (c == '%' && (i + 2 >= uri.length() || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2)))) {
                throw new IllegalArgumentException("uri must be an encoded URI reference but the '%' at index " + i
                        + " does not start a %XX escape: " + printable(uri)
                        + " (encode it as %25, or use a path template: get(\"/items/{name}\", name))");
            }
        }
        return uri;
    }

    /**
     * Replaces each {@code {name}} of {@code template}, in order, by the matching value's {@code toString()}
     * encoded as one path segment.
     *
     * @throws IllegalArgumentException if the number of placeholders and values differ, a placeholder is not
     *         closed, a value is empty, {@code .} or {@code ..}, or the literal parts are not an encoded URI reference
     */
    static String expand(String template, Object[] values) {
        StringBuilder sb = new StringBuilder(template.length() + 16 * values.length);
        int placeholders = 0;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '}') {
                throw new IllegalArgumentException(
                        "unmatched '}' at index " + i + " of the path template " + printable(template));
            }
            if (c != '{') {
                sb.append(c);
                i++;
                continue;
            }
            int close = template.indexOf('}', i + 1);
            int nested = template.indexOf('{', i + 1);
            if (close < 0 || (nested >= 0 && nested < close)) {
                throw new IllegalArgumentException(
                        "unclosed '{' at index " + i + " of the path template " + printable(template));
            }
            if (placeholders < values.length) {
                sb.append(encodeSegment(values[placeholders], template.substring(i, close + 1)));
            }
            placeholders++;
            i = close + 1;
        }
        if (placeholders != values.length) {
            throw new IllegalArgumentException("the path template " + printable(template) + " has " + placeholders
                    + (placeholders == 1 ? " placeholder" : " placeholders") + " but " + values.length
                    + (values.length == 1 ? " value was" : " values were") + " given");
        }
        return sb.toString();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, as UTF-8. */
    static String encodeSegment(Object value, String placeholder) {
        String s = value.toString();
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            throw new IllegalArgumentException("the value of " + placeholder + " must be a non-empty path segment "
                    + "other than '.' and '..' but it was '" + s + "'");
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int u = b & 0xff;
            if ((u >= 'a' && u <= 'z')
                    || (u >= 'A' && u <= 'Z')
                    || (u >= '0' && u <= '9')
                    || u == '-'
                    || u == '.'
                    || u == '_'
                    || u == '~') {
                sb.append((char) u);
            } else {
                sb.append('%').append(HEX[u >> 4]).append(HEX[u & 0xf]);
            }
        }
        return sb.toString();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
