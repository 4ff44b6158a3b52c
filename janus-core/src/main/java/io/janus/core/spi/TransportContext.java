package io.janus.core.spi;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

/** What the gateway gives a {@link Transport} when it starts it. Implemented by the gateway. */
public interface TransportContext {

    /**
     * The event loops that accept connections (or, for datagram transports, read the socket).
     *
     * @return the boss group; owned by the gateway or its user, never to be shut down by a transport
     */
    EventLoopGroup bossGroup();

    /**
     * The event loops that serve sessions.
     *
     * @return the worker group; owned by the gateway or its user, never to be shut down by a transport
     */
    EventLoopGroup workerGroup();

    /**
     * The largest frame body a client may send, in bytes. Transports must refuse a larger frame from
     * its declared length, before allocating anything for it, by raising a
     * {@link io.janus.core.ProtocolException} with {@link io.janus.api.Reason#FRAME_TOO_LARGE}.
     *
     * @return the maximum frame length
     */
    int maxFrameLength();

    /**
     * Installs the session pipeline (connection limits, idle timeout, packet codec, session handler)
     * at the end of {@code channel}'s pipeline. Call it from the channel initializer after adding the
     * handlers that turn the wire into whole-frame {@link io.netty.buffer.ByteBuf} messages and back. It
     * may close the channel at once, for example when a connection limit is reached.
     *
     * @param channel a newly accepted channel of whole frames
     */
    void initSession(Channel channel);

    /**
     * Records a failure the transport handled on its own before a session existed (a malformed HTTP
     * upgrade, a garbage datagram), so it shows in the gateway's failure counters.
     *
     * @param reason the reason code
     */
    void recordFailure(io.janus.api.Reason reason);
}
