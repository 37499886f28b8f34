package io.github.reactorpatterns.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.netty.handler.codec.http.HttpHeaderNames;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Redirects, followed by the client itself rather than by reactor-netty, so that the origin rule holds at every
 * hop: credentials (the client's default headers included) and bodies never go to another origin (scheme, host and
 * port), a 303, or a 301/302 after a POST, becomes a bodyless GET, https never falls back to http unless allowed,
 * and a chain longer than {@code maxRedirects} ends with {@link TooManyRedirectsException}. A redirect that cannot
 * be followed safely (no usable {@code Location}, a downgrade, a 307/308 that would replay a body to another origin)
 * is returned as the response.
 */
final class Redirects {

    static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);

    private Redirects() {}

    /**
     * Sends one request of a redirect chain and hands its response to a handler; a {@link Follow} signalled by the
     * handler goes to {@code onFollow} (null when redirects are not followed), in the same error step that
     * translates the request's other failures.
     */
    interface Sender<T> {
        Flux<T> send(
                HttpRequestSpec spec,
                String uri,
                byte @Nullable [] payload,
                BiFunction<HttpClientResponse, ByteBufFlux, Publisher<T>> handler,
                @Nullable Function<Follow, Publisher<T>> onFollow);
    }

    static <T> Flux<T> send(
            Settings settings,
            HttpRequestSpec spec,
            String uri,
            byte @Nullable [] payload,
            BiFunction<HttpClientResponse, ByteBufFlux, Publisher<T>> handler,
            Sender<T> sender) {
        if (!settings.followRedirects()) {
            return sender.send(spec, uri, payload, handler, null);
        }
        return hop(settings, spec, uri, payload, handler, sender, List.of(uri));
    }

    private static <T> Flux<T> hop(
            Settings settings,
            HttpRequestSpec spec,
            String uri,
            byte @Nullable [] payload,
            BiFunction<HttpClientResponse, ByteBufFlux, Publisher<T>> handler,
            Sender<T> sender,
            List<String> chain) {
        return sender.send(
                spec,
                uri,
                payload,
                (resp, content) -> {
                    Follow next;
                    try {
                        next = next(
                                settings,
                                spec,
                                uri,
                                payload,
                                resp.status().code(),
                                resp.responseHeaders().get(HttpHeaderNames.LOCATION),
                                chain);
                    } catch (TooManyRedirectsException e) {
                        return Flux.error(e);
                    }
                    if (next == null) {
                        return handler.apply(resp, content);
                    }
                    // Read the redirect's body (within the body cap) so that its connection can go back to the pool.
                    int max = settings.maxResponseBytes();
                    AtomicLong read = new AtomicLong();
                    return content.handle((buf, sink) -> {
                                if (read.addAndGet(buf.readableBytes()) > max) {
                                    sink.error(new ResponseTooLargeException(spec.method(), uri, max, "redirect body"));
                                }
                            })
                            .thenMany(Flux.error(next));
                },
                f -> hop(settings, f.spec, f.uri, f.payload, handler, sender, f.chain));
    }

    /** The request that follows a response, or null when the response is to be returned as it is. */
    static @Nullable Follow next(
            Settings settings,
            HttpRequestSpec spec,
            String uri,
            byte @Nullable [] payload,
            int status,
            @Nullable String location,
            List<String> chain) {
        if (!STATUSES.contains(status) || location == null || location.isBlank()) {
            return null;
        }
        String target;
        try {
            URI resolved = URI.create(uri).resolve(location.trim());
            String scheme = resolved.getScheme();
            if (resolved.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
                return null;
            }
            target = resolved.toString();
        } catch (IllegalArgumentException e) {
            return null;
        }
        List<String> nextChain = new ArrayList<>(chain);
        nextChain.add(target);
        int max = settings.maxRedirects();
        if (chain.size() > max) {
            throw new TooManyRedirectsException(spec.method(), nextChain, max);
        }
        if (Origins.downgrades(uri, target) && !settings.allowHttpsToHttpRedirects()) {
            return null;
        }
        boolean toAnotherOrigin = !Origins.same(uri, target);
        boolean bodyless = status == 303
                || ((status == 301 || status == 302) && spec.method().equals("POST"));
        if (!bodyless && payload != null && toAnotherOrigin) {
            return null;
        }
        return new Follow(
                spec.followedTo(target, bodyless, toAnotherOrigin),
                target,
                bodyless ? null : payload,
                List.copyOf(nextChain));
    }

    /** The signal, inside one attempt, to send the next request of the chain; never seen outside. */
    static final class Follow extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final transient HttpRequestSpec spec;
        final String uri;
        final byte @Nullable [] payload;
        final List<String> chain;

        Follow(HttpRequestSpec spec, String uri, byte @Nullable [] payload, List<String> chain) {
            super("redirect to " + uri, null, false, false);
            this.spec = spec;
            this.uri = uri;
            this.payload = payload;
            this.chain = chain;
        }
    }
}
