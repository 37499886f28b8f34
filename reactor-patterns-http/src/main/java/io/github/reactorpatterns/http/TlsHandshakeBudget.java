package io.github.reactorpatterns.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;

/**
 * Makes {@code connectTimeout} one budget for the TCP connect and the TLS handshake together: when the TCP
 * connection is up, the handshake gets what is left of it (reactor-netty's own handshake timeout is a separate 10 s).
 * Netty's {@link SslHandler} reads its handshake timeout when the handshake starts, on {@code channelActive}, so this
 * handler sits in front of it and sets the timeout just before. A handshake that runs out fails with Netty's
 * {@code SslHandshakeTimeoutException}, which {@link Exchange} reports as {@link HttpTimeoutException.Phase#CONNECT}.
 */
final class TlsHandshakeBudget extends ChannelInboundHandlerAdapter {

    static final String NAME = "reactorPatterns.tlsHandshakeBudget";

    private final SslHandler ssl;
    private final long startNanos;
    private final long budgetNanos;

    private TlsHandshakeBudget(SslHandler ssl, long budgetNanos) {
        this.ssl = ssl;
        this.startNanos = System.nanoTime();
        this.budgetNanos = budgetNanos;
    }

    /** Called when a channel is initialized, before it connects: a no-op for a channel without TLS. */
    static void install(Channel channel, Duration connectTimeout) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || channel.pipeline().get(NAME) != null) {
            return;
        }
        long budget = connectTimeout.toNanos();
        ssl.setHandshakeTimeout(budget, TimeUnit.NANOSECONDS);
        channel.pipeline().addFirst(NAME, new TlsHandshakeBudget(ssl, budget));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long left = budgetNanos - (System.nanoTime() - startNanos);
        ssl.setHandshakeTimeout(Math.max(TimeUnit.MILLISECONDS.toNanos(1), left), TimeUnit.NANOSECONDS);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
