package io.github.reactorpatterns.http;

import java.lang.reflect.Field;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import reactor.netty.NettyPipeline;

/**
 * Keeps an HTTP/1.1 connection with bytes that belong to no response out of the pool (RFC 9112 section 6.3: a
 * client must not reuse a connection whose framing it cannot trust). Sits before the HTTP codec for the life of the
 * connection.
 *
 * <ul>
 *   <li>Bytes that arrive while no request is outstanding (after a response ended, before the next request is
 *   prepared) close the connection at once: the pool then drops it instead of handing it to the next request.</li>
 *   <li>Bytes that arrived with the end of a response (a short {@code Content-Length} followed by part of a second
 *   response) are still in the codec when the response ends: {@link #responseEnded()} reports them, and
 *   {@link ResponseGuard} marks the connection not persistent before reactor-netty sees the end of the response, so
 *   it is closed instead of pooled. Netty has no public accessor for a decoder's buffered bytes; they are read from
 *   its {@code cumulation} field.</li>
 * </ul>
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    static final String NAME = "reactorPatterns.connectionGuard";

    private static final @Nullable Field INBOUND_HANDLER = field(CombinedChannelDuplexHandler.class, "inboundHandler");
    private static final @Nullable Field CUMULATION = field(ByteToMessageDecoder.class, "cumulation");

    /** Where {@link #on} finds the guard of a connection: a channel attribute, cheaper than a pipeline search. */
    private static final AttributeKey<ConnectionGuard> KEY = AttributeKey.valueOf(NAME);

    /** The connection's HTTP codec, found once when the guard is added (it is never replaced on HTTP/1.1). */
    private final ChannelHandler codec;

    /** Set when the guard is in the pipeline; it can be removed only with the whole pipeline. */
    private volatile @Nullable ChannelHandlerContext context;

    private volatile boolean outstanding;
    /** The connection's response guard, once its first request was prepared. */
    private volatile @Nullable ResponseGuard responseGuard;

    private ConnectionGuard(ChannelHandler codec) {
        this.codec = codec;
    }

    /** The guard of an HTTP/1.1 connection, added before its codec on first use; null for HTTP/2. */
    static @Nullable ConnectionGuard on(ChannelPipeline pipeline) {
        Attribute<ConnectionGuard> attribute = pipeline.channel().attr(KEY);
        ConnectionGuard guard = attribute.get();
        if (guard != null && !guard.isRemoved()) {
            return guard;
        }
        ChannelHandler codec = pipeline.get(NettyPipeline.HttpCodec);
        if (codec == null) {
            return null;
        }
        guard = new ConnectionGuard(codec);
        pipeline.addBefore(NettyPipeline.HttpCodec, NAME, guard);
        attribute.set(guard);
        return guard;
    }

    private boolean isRemoved() {
        ChannelHandlerContext ctx = context;
        return ctx != null && ctx.isRemoved();
    }

    /** Whether this JVM's Netty lets the guard see a decoder's buffered bytes. */
    static boolean canInspectDecoder() {
        return INBOUND_HANDLER != null && CUMULATION != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Nullable
    ResponseGuard responseGuard() {
        return responseGuard;
    }

    void responseGuard(ResponseGuard guard) {
        responseGuard = guard;
    }

    void requestStarting() {
        outstanding = true;
    }

    /**
     * Called when the final response's last content leaves the codec, before reactor-netty sees it.
     *
     * @return true if the codec holds bytes beyond that response
     */
    boolean responseEnded() {
        outstanding = false;
        return bufferedInDecoder() > 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!outstanding && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            // Nothing was asked: whatever this is, the next response on this connection could not be trusted.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** The bytes the HTTP codec has read but not decoded yet; 0 when that cannot be told. */
    int bufferedInDecoder() {
        Field inbound = INBOUND_HANDLER;
        Field cumulation = CUMULATION;
        if (inbound == null || cumulation == null) {
            return 0;
        }
        if (!(codec instanceof CombinedChannelDuplexHandler)) {
            return 0;
        }
        try {
            Object decoder = inbound.get(codec);
            if (!(decoder instanceof ByteToMessageDecoder)) {
                return 0;
            }
            Object buffer = cumulation.get(decoder);
            return buffer instanceof ByteBuf ? ((ByteBuf) buffer).readableBytes() : 0;
        } catch (IllegalAccessException | RuntimeException e) {
            return 0;
        }
    }

    private static @Nullable Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
