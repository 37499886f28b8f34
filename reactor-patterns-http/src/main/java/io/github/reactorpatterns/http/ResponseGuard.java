package io.github.reactorpatterns.http;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

/**
 * The timeouts and the interim responses of one HTTP exchange, after the HTTP codec of its connection (or HTTP/2
 * stream). On HTTP/1.1 one guard stays on the connection and is reset when each request is prepared; on an HTTP/2
 * stream it is added when the request is prepared and removed by reactor-netty when the exchange ends.
 *
 * <ul>
 *   <li>One fixed timer from the moment the request has been written until the final response's status line and
 *   headers have arrived ({@code responseTimeout}): reactor-netty's own {@code responseTimeout} is an idle timer that
 *   restarts on every read, so a server dripping its headers, or sending {@code 1xx} after {@code 1xx}, never hits it.
 *   When it fires, the exchange fails with Netty's {@link ReadTimeoutException} before any headers were seen, which
 *   {@link Exchange} reports as {@link HttpTimeoutException.Phase#RESPONSE}.</li>
 *   <li>Interim responses ({@code 1xx} except {@code 101 Switching Protocols}) are dropped, with their (empty)
 *   content, as RFC 9110 section 15.2 asks: reactor-netty skips only {@code 100 Continue} and takes a {@code 102} or
 *   {@code 103} for the final response.</li>
 *   <li>Once the final headers are in, an idle timer of {@code readTimeout} between reads, placed before the codec so
 *   that every byte read counts, and started at the end of the read that brought the headers unless the response
 *   ended in that read (a {@link ReadTimeoutHandler}, then reported as
 *   {@link HttpTimeoutException.Phase#READ}).</li>
 *   <li>On HTTP/1.1, when the final response ends, the connection is marked not persistent (closed instead of
 *   pooled) if bytes that belong to no response follow it ({@link ConnectionGuard}).</li>
 * </ul>
 */
final class ResponseGuard extends ChannelDuplexHandler {

    static final String NAME = "reactorPatterns.responseGuard";

    static final String READ_TIMEOUT_NAME = "reactorPatterns.readTimeout";

    // Set for each exchange on the event loop (a connection-wide guard serves one exchange after another).
    private Connection connection;
    private long responseTimeoutNanos;
    private long readTimeoutMillis;
    private final @Nullable ConnectionGuard connectionGuard;
    private @Nullable ChannelHandlerContext context;

    private @Nullable ScheduledFuture<?> timer;
    private boolean headersSeen;
    private boolean ended;
    private boolean skippingInterim;
    private boolean swallowed;
    /** The final headers are in and the body goes on past the read that brought them: time the silences. */
    private boolean readTimeoutWanted;

    private boolean readTimeoutAdded;

    private ResponseGuard(Connection connection, Settings settings, @Nullable ConnectionGuard connectionGuard) {
        this.connection = connection;
        this.responseTimeoutNanos = settings.responseTimeout().toNanos();
        this.readTimeoutMillis = Math.max(1, settings.readTimeout().toMillis());
        this.connectionGuard = connectionGuard;
    }

    /** Installs the guards for the request about to be sent on {@code connection}. */
    static void install(Connection connection, Settings settings) {
        ChannelPipeline pipeline = connection.channel().pipeline();
        ConnectionGuard guard = ConnectionGuard.on(pipeline);
        if (guard != null) {
            guard.requestStarting();
        }
        if (guard != null && settings.protocol() == PooledHttpClient.Protocol.HTTP_1_1) {
            // HTTP/1.1 only (no upgrade changes the connection): the exchanges of a connection never overlap, so
            // one guard serves them all, reset for each (adding and removing a handler per request costs pipeline
            // searches and a subscription each time). A connection is pooled again only after its response ended,
            // which stopped the timers; any other end closes it (reactor-netty closes a connection whose response
            // was cancelled or failed).
            ResponseGuard current = guard.responseGuard();
            if (current == null) {
                current = new ResponseGuard(connection, settings, guard);
                addAfterCodecs(pipeline, current);
                guard.responseGuard(current);
            } else {
                current.next(connection, settings);
            }
            return;
        }
        if (pipeline.get(NAME) != null) {
            pipeline.remove(NAME); // left over by an exchange that did not terminate cleanly
        }
        // Removed by reactor-netty when the exchange terminates (or with the connection).
        connection.addHandlerFirst(NAME, new ResponseGuard(connection, settings, guard));
    }

    /** Where {@code Connection.addHandlerFirst} would put it: after reactor-netty's codecs, before the rest. */
    private static void addAfterCodecs(ChannelPipeline pipeline, ResponseGuard guard) {
        String after = null;
        for (String name : pipeline.names()) {
            if (name.startsWith(NettyPipeline.LEFT)) {
                after = name;
            }
        }
        if (after == null) {
            pipeline.addFirst(NAME, guard);
        } else {
            pipeline.addAfter(after, NAME, guard);
        }
    }

    /** Prepares a connection-wide guard for the next exchange on its connection; on the event loop. */
    private void next(Connection connection, Settings settings) {
        long responseNanos = settings.responseTimeout().toNanos();
        long readMillis = Math.max(1, settings.readTimeout().toMillis());
        ChannelHandlerContext ctx = context;
        if (ctx == null || ctx.executor().inEventLoop()) {
            reset(connection, responseNanos, readMillis);
        } else {
            // Before the request's own write, which is queued on the same event loop after this task.
            ctx.executor().execute(() -> reset(connection, responseNanos, readMillis));
        }
    }

    private void reset(Connection connection, long responseNanos, long readMillis) {
        cancelTimer();
        ChannelHandlerContext ctx = context;
        if (ctx != null) {
            removeReadTimeout(ctx);
        }
        this.connection = connection;
        this.responseTimeoutNanos = responseNanos;
        this.readTimeoutMillis = readMillis;
        headersSeen = false;
        ended = false;
        skippingInterim = false;
        swallowed = false;
        readTimeoutWanted = false;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && timer == null && !headersSeen && !ended) {
            ChannelPromise written = promise.unvoid();
            written.addListener(f -> {
                if (f.isSuccess() && !headersSeen && !ended && timer == null) {
                    timer = ctx.executor()
                            .schedule(() -> responseTimedOut(ctx), responseTimeoutNanos, TimeUnit.NANOSECONDS);
                }
            });
            ctx.write(msg, written);
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse && !headersSeen) {
            int status = ((HttpResponse) msg).status().code();
            if (status >= 100 && status < 200 && status != 101) {
                // An interim response: drop it and whatever content the codec gives with it.
                skippingInterim = !(msg instanceof LastHttpContent);
                swallowed = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            headersSeen = true;
            cancelTimer();
            // Started at the end of this read, and only if the response has not ended by then: a small response
            // read at once (the common case) needs no idle timer at all.
            readTimeoutWanted = true;
        } else if (skippingInterim && msg instanceof HttpContent) {
            skippingInterim = !(msg instanceof LastHttpContent);
            swallowed = true;
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof LastHttpContent && headersSeen && !ended) {
            // Before the codec's last message reaches reactor-netty, which then releases the connection to the pool.
            responseEnded(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readTimeoutWanted) {
            readTimeoutWanted = false;
            if (!ended) {
                startReadTimeout(ctx);
            }
        }
        if (swallowed) {
            swallowed = false;
            // What was read went nowhere: ask for more, as reactor-netty does after a 100 Continue.
            if (!ctx.channel().config().isAutoRead()) {
                ctx.read();
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        removeReadTimeout(ctx);
    }

    private void responseTimedOut(ChannelHandlerContext ctx) {
        timer = null;
        if (!headersSeen && !ended && ctx.channel().isActive()) {
            ended = true;
            ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
            ctx.close();
        }
    }

    private void responseEnded(ChannelHandlerContext ctx) {
        ended = true;
        readTimeoutWanted = false;
        cancelTimer();
        removeReadTimeout(ctx);
        ConnectionGuard guard = connectionGuard;
        if (guard != null && guard.responseEnded()) {
            // Bytes that belong to no request follow the response: the connection must not be reused.
            connection.markPersistent(false);
        }
    }

    private void startReadTimeout(ChannelHandlerContext ctx) {
        readTimeoutAdded = true;
        ChannelPipeline pipeline = ctx.pipeline();
        if (pipeline.get(READ_TIMEOUT_NAME) != null) {
            return;
        }
        ReadTimeoutHandler idle = new ReadTimeoutHandler(readTimeoutMillis, TimeUnit.MILLISECONDS);
        if (pipeline.get(NettyPipeline.HttpCodec) != null) {
            pipeline.addBefore(NettyPipeline.HttpCodec, READ_TIMEOUT_NAME, idle);
        } else if (pipeline.get(NettyPipeline.H2ToHttp11Codec) != null) {
            pipeline.addBefore(NettyPipeline.H2ToHttp11Codec, READ_TIMEOUT_NAME, idle);
        } else {
            pipeline.addBefore(ctx.name(), READ_TIMEOUT_NAME, idle);
        }
    }

    private void removeReadTimeout(ChannelHandlerContext ctx) {
        if (!readTimeoutAdded) {
            return;
        }
        readTimeoutAdded = false;
        ChannelPipeline pipeline = ctx.pipeline();
        if (pipeline.get(READ_TIMEOUT_NAME) != null) {
            pipeline.remove(READ_TIMEOUT_NAME);
        }
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            timer = null;
            t.cancel(false);
        }
    }
}
