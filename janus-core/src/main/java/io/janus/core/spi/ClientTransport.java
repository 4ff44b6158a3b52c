package io.janus.core.spi;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client side of a transport: connects to a gateway and gives a Netty {@link Channel} of whole
 * frames ({@link io.netty.buffer.ByteBuf} messages in both directions). Used by janus-client, the load
 * generator and the transport conformance tests.
 */
public interface ClientTransport {

    /**
     * The provider name ({@code tcp}, {@code ws}, {@code kcp}).
     *
     * @return the name
     */
    String name();

    /**
     * Connects to a gateway.
     *
     * @param address the gateway's address for this transport
     * @param group the event loops to run the connection on; owned by the caller
     * @param maxFrameLength the largest frame body to accept from the gateway
     * @param initializer adds the caller's handlers at the end of the pipeline, after the framing;
     *        called on the channel's event loop before the channel becomes active
     * @return a future completed with the connected channel, or failed when the connection fails
     */
    CompletableFuture<Channel> connect(InetSocketAddress address, EventLoopGroup group, int maxFrameLength,
            Consumer<Channel> initializer);
}
