package io.github.reactorpatterns.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import reactor.netty.NettyPipeline;

/** The wire-level internals, without a network. */
class WireInternalsTest {

    /** If a Netty upgrade renames the decoder's fields, this fails instead of poisoned connections being pooled. */
    @Test
    void connectionGuardSeesTheBytesTheHttpCodecHoldsWithThisNetty() {
        assertThat(ConnectionGuard.canInspectDecoder()).isTrue();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(NettyPipeline.HttpCodec, new HttpClientCodec());
        ConnectionGuard guard = ConnectionGuard.on(channel.pipeline());
        assertThat(guard).isNotNull();
        assertThat(ConnectionGuard.on(channel.pipeline())).isSameAs(guard);
        guard.requestStarting();
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ReferenceCountUtil.release(channel.readOutbound());
        assertThat(guard.bufferedInDecoder()).isZero();

        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nConte", StandardCharsets.US_ASCII));
        // At least the incomplete header line is still in the decoder.
        assertThat(guard.bufferedInDecoder()).isBetween("Conte".length(), "HTTP/1.1 200 OK\r\nConte".length());
        channel.finishAndReleaseAll();
    }

    @Test
    void connectionGuardIsForHttp11Only() {
        EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(ConnectionGuard.on(channel.pipeline())).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void onlyResponsesThatCanHaveABodyAreCapped() {
        assertThat(Exchange.canHaveBody("GET", 200)).isTrue();
        assertThat(Exchange.canHaveBody("POST", 404)).isTrue();
        assertThat(Exchange.canHaveBody("HEAD", 200)).isFalse();
        assertThat(Exchange.canHaveBody("GET", 204)).isFalse();
        assertThat(Exchange.canHaveBody("GET", 304)).isFalse();
        assertThat(Exchange.canHaveBody("GET", 103)).isFalse();
    }

    @Test
    void originIsSchemeHostAndPortLowerCased() {
        assertThat(PooledHttpClient.origin("HTTP://Example.COM:8080/a/b?c#d")).isEqualTo("http://example.com:8080");
        assertThat(PooledHttpClient.origin("https://api.example.com")).isEqualTo("https://api.example.com");
        assertThat(PooledHttpClient.origin("https://user:pw@api.example.com/x")).isEqualTo("https://api.example.com");
        assertThat(PooledHttpClient.origin("http://h?q")).isEqualTo("http://h");
        assertThat(PooledHttpClient.origin("/relative")).isEqualTo("/relative");
    }
}
