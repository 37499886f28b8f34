package io.github.reactorpatterns.cli;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import reactor.netty.http.client.PrematureCloseException;

/**
 * A failure as {@code fetch} reports it: a short kind for the summary and a one-line message for the NDJSON line.
 *
 * @param kind    {@code timeout}, {@code connect}, {@code dns}, {@code closed}, {@code tls}, {@code http 503}, ...
 * @param message one line for the {@code error} field
 */
record Failure(String kind, String message) {

    private static final Pattern NATIVE_PREFIX =
            Pattern.compile("^finishConnect\\(\\.\\.\\) failed(: | with error\\(-?\\d+\\): )");

    /** Classifies {@code error}, looking through wrappers to the first cause we know. */
    static Failure of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException) {
                return new Failure("timeout", "timeout: " + describe(t));
            }
            if (t instanceof io.netty.channel.ConnectTimeoutException) {
                return new Failure("connect", "connect timeout: " + describe(t));
            }
            if (t instanceof UnknownHostException) {
                return new Failure("dns", "unknown host: " + describe(t));
            }
            if (t instanceof ConnectException) {
                return new Failure("connect", "connect failed: " + describe(t));
            }
            if (t instanceof PrematureCloseException || t instanceof ClosedChannelException) {
                return new Failure("closed", "connection closed: " + describe(t));
            }
            if (t instanceof SSLException) {
                return new Failure("tls", "TLS: " + describe(t));
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return new Failure("error", describe(error));
    }

    /** The failure of a response with a status that is not 2xx or 3xx. */
    static Failure status(int status) {
        return new Failure("http " + status, "HTTP " + status);
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        String text = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
        // Netty's native transport prefixes the OS error: keep what a person reads
        return NATIVE_PREFIX
                .matcher(text.replaceAll("\\s+", " "))
                .replaceFirst("")
                .strip();
    }
}
