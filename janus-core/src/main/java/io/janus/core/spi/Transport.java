package io.janus.core.spi;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The server side of a transport: turns bytes on the wire into a Netty {@link io.netty.channel.Channel}
 * of whole frames and back. Everything above the frames (session protocol, routing) is shared by all
 * transports and installed by {@link TransportContext#initSession}.
 *
 * <p>A transport is started once by the gateway and stopped once. Implementations: {@code tcp} in
 * janus-transport-tcp; {@code ws} and {@code kcp} in their own modules.
 */
public interface Transport {

    /**
     * The provider name of this transport ({@code tcp}, {@code ws}, {@code kcp}), used in metrics and
     * as {@link io.janus.core.session.Session#transport()}.
     *
     * @return the name
     */
    String name();

    /**
     * Binds and starts accepting clients. Every accepted connection must end in a call to
     * {@link TransportContext#initSession} from the channel's initializer, after the transport's own
     * framing handlers.
     *
     * @param context what the gateway gives the transport
     * @return a future completed with the bound address, or failed when binding fails
     */
    CompletableFuture<InetSocketAddress> start(TransportContext context);

    /**
     * Stops accepting new clients. Sessions already open are closed by the gateway, not here.
     *
     * @return a future completed when the listening socket is closed
     */
    CompletableFuture<Void> stop();
}
