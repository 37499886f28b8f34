package io.github.reactorpatterns.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The URLs of a {@code fetch} run, read one per line: blank lines and {@code #} comments are skipped, and a line that
 * is not an absolute {@code http}/{@code https} URL is kept aside with its line number so that it can be reported
 * while the others are still fetched.
 *
 * @param urls      the well-formed URLs, in input order
 * @param malformed the rejected lines, in input order
 */
record UrlList(List<Entry> urls, List<Malformed> malformed) {

    UrlList {
        urls = List.copyOf(urls);
        malformed = List.copyOf(malformed);
    }

    /**
     * One URL to fetch.
     *
     * @param index position among the well-formed URLs (0-based); {@code --ordered} output follows it
     * @param line  line number in the input (1-based)
     * @param uri   the URL
     */
    record Entry(int index, int line, URI uri) {}

    /**
     * A line that is not a URL we can fetch.
     *
     * @param line   line number in the input (1-based)
     * @param text   the line as read (trimmed)
     * @param reason why it was rejected
     */
    record Malformed(int line, String text, String reason) {

        /** The one-line report for stderr. */
        String message() {
            return "line " + line + ": " + reason + ": " + text;
        }
    }

    /** Reads every line of {@code reader}; the caller closes it. */
    static UrlList read(BufferedReader reader) throws IOException {
        List<Entry> urls = new ArrayList<>();
        List<Malformed> malformed = new ArrayList<>();
        int lineNo = 0;
        String raw;
        while ((raw = reader.readLine()) != null) {
            lineNo++;
            String text = raw.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String problem = problem(text);
            if (problem == null) {
                urls.add(new Entry(urls.size(), lineNo, URI.create(text)));
            } else {
                malformed.add(new Malformed(lineNo, text, problem));
            }
        }
        return new UrlList(urls, malformed);
    }

    /** Why {@code text} is not a fetchable URL, or {@code null} when it is one. */
    private static @org.jspecify.annotations.Nullable String problem(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return "malformed URL (" + e.getReason() + " at index " + e.getIndex() + ")";
        }
        String scheme = uri.getScheme();
        if (scheme == null) {
            return "malformed URL (no scheme; expected http:// or https://)";
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https")) {
            return "unsupported scheme '" + scheme + "' (expected http or https)";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "malformed URL (no host)";
        }
        return null;
    }
}
