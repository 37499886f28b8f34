package io.github.reactorpatterns.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The origin rule of the client (RFC 6454): scheme, host and port. Credentials and request bodies never go to
 * another origin than the one the caller addressed, whether the client follows a redirect or a next-page link.
 */
final class Origins {

    /** The headers that carry credentials; removed from a request that goes to another origin. */
    static final List<String> CREDENTIAL_HEADERS = List.of("Authorization", "Cookie", "Proxy-Authorization");

    /** The headers that describe a request body; removed when the body is dropped. */
    static final List<String> BODY_HEADERS =
            List.of("Content-Type", "Content-Length", "Transfer-Encoding", "Content-Encoding");

    private Origins() {}

    /** The origin of an absolute http(s) URI: {@code scheme://host:port}, lower case, default ports made explicit. */
    static @Nullable String of(URI uri) {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port < 0) {
            port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    static @Nullable String of(String uri) {
        try {
            return of(URI.create(uri));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether both URIs have one and the same (known) origin. */
    static boolean same(String a, String b) {
        String oa = of(a);
        return oa != null && Objects.equals(oa, of(b));
    }

    /** Whether going from {@code from} to {@code to} leaves TLS. */
    static boolean downgrades(String from, String to) {
        return from.regionMatches(true, 0, "https:", 0, 6) && to.regionMatches(true, 0, "http:", 0, 5);
    }

    /** The headers without those named. */
    static List<NameValue> without(List<NameValue> headers, List<String> names) {
        List<NameValue> kept = new ArrayList<>(headers.size());
        for (NameValue kv : headers) {
            boolean drop = false;
            for (String n : names) {
                if (kv.name().equalsIgnoreCase(n)) {
                    drop = true;
                    break;
                }
            }
            if (!drop) {
                kept.add(kv);
            }
        }
        return List.copyOf(kept);
    }
}
