package io.github.reactorpatterns.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.github.reactorpatterns.stream.Page;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** Page parsing for {@link PooledHttpClient#paginate}: JSON items and cursors, and {@code Link} headers. */
final class Pages {

    private Pages() {}

    /** Fetches one page of a cursor-paginated API. */
    static <T> Mono<Page<T, String>> byCursor(
            PooledHttpClient client,
            HttpRequestSpec first,
            Optional<String> cursor,
            String cursorParam,
            String itemsPointer,
            String cursorPointer,
            JsonCodec.Reader<T> items) {
        HttpRequestSpec spec = cursor.map(c -> first.query(cursorParam, c)).orElse(first);
        return spec.checked().handle((r, sink) -> {
            try {
                sink.next(read(client, r, itemsPointer, cursorPointer, items));
            } catch (Exception e) {
                sink.error(e);
            }
        });
    }

    /** Fetches one page of an API that links to the next page with {@code Link: <url>; rel="next"}. */
    static <T> Mono<Page<T, String>> byLink(
            PooledHttpClient client,
            HttpRequestSpec first,
            Optional<String> next,
            String itemsPointer,
            JsonCodec.Reader<T> items) {
        HttpRequestSpec spec;
        try {
            spec = next.map(link -> nextPage(client, first, link)).orElse(first);
        } catch (IllegalStateException e) {
            return Mono.error(e);
        }
        return spec.checked().handle((r, sink) -> {
            try {
                List<T> list = read(client, r, itemsPointer, null, items).items();
                String link = nextLink(r.headers().getAll("Link"));
                sink.next(new Page<>(
                        list,
                        link == null ? null : URI.create(r.uri()).resolve(link).toString()));
            } catch (Exception e) {
                sink.error(e);
            }
        });
    }

    private static <T> Page<T, String> read(
            PooledHttpClient client,
            HttpResult r,
            String itemsPointer,
            @Nullable String cursorPointer,
            JsonCodec.Reader<T> items)
            throws Exception {
        try {
            return client.codec.page(r.bodyUnsafe(), itemsPointer, cursorPointer, items);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " in the response of " + r.method() + " " + r.uri(), e);
        }
    }

    /**
     * The request for a linked next page, under the client's origin rule: the first page's request as it is when
     * the link stays on its origin (scheme, host and port); otherwise a GET without body and without credential
     * headers. A link from https to http is refused unless the client allows such redirects.
     */
    static HttpRequestSpec nextPage(PooledHttpClient client, HttpRequestSpec first, String link) {
        String from = first.uri();
        if (Origins.same(from, link)) {
            return first.withUri(link);
        }
        if (Origins.downgrades(from, link) && !client.settings.allowHttpsToHttpRedirects()) {
            throw new IllegalStateException("the next-page link " + link + " of " + from
                    + " leaves https for http; allowHttpsToHttpRedirects(true) permits it");
        }
        return first.followedTo(link, true, true);
    }

    /** The target of the first {@code rel="next"} link of the {@code Link} headers (RFC 8288), or null. */
    static @Nullable String nextLink(List<String> headers) {
        for (String header : headers) {
            for (String link : splitLinks(header)) {
                int open = link.indexOf('<');
                int close = link.indexOf('>', open + 1);
                if (open < 0 || close < 0) {
                    continue;
                }
                String[] params = link.substring(close + 1).split(";");
                for (String param : params) {
                    String p = param.trim();
                    int eq = p.indexOf('=');
                    if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase("rel")) {
                        continue;
                    }
                    String value = p.substring(eq + 1).trim();
                    if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
                        value = value.substring(1, value.length() - 1);
                    }
                    for (String rel : value.toLowerCase(Locale.ROOT).split("\\s+")) {
                        if (rel.equals("next")) {
                            return link.substring(open + 1, close).trim();
                        }
                    }
                }
            }
        }
        return null;
    }

    /** Splits a {@code Link} header on the commas between links, not those inside {@code <...>} or quotes. */
    private static List<String> splitLinks(String header) {
        List<String> links = new ArrayList<>();
        boolean inUri = false;
        boolean inQuotes = false;
        int start = 0;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '<' && !inQuotes) {
                inUri = true;
            } else if (c == '>' && !inQuotes) {
                inUri = false;
            } else if (c == '"' && !inUri) {
                inQuotes = !inQuotes;
            } else if (c == ',' && !inUri && !inQuotes) {
                links.add(header.substring(start, i));
                start = i + 1;
            }
        }
        links.add(header.substring(start));
        return links;
    }
}
