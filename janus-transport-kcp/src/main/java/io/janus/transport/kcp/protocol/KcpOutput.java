package io.janus.transport.kcp.protocol;

import io.netty.buffer.ByteBuf;

/** Where a {@link Kcp} engine sends the datagrams it builds. Called on the engine's thread. */
@FunctionalInterface
public interface KcpOutput {

    /**
     * Sends one datagram. Its first {@link Kcp#reserved()} bytes are zero and left for the layer below
     * (kcp-go's nonce and checksum, the FEC header) to fill; the KCP segments follow.
     *
     * @param datagram the datagram; the sink owns it and must release it (or pass it on)
     * @param kcp the engine that built it
     */
    void output(ByteBuf datagram, Kcp kcp);
}
