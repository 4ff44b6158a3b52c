package io.janus.client;

import io.janus.api.Packet;

/**
 * Receives the gateway's pushes (packets with index 0): game pushes and system notices. Called on the
 * session's event loop, in the order the gateway sent them; must not block.
 */
@FunctionalInterface
public interface PushListener {

    /**
     * Called for each push.
     *
     * @param push the packet; module 0 is a system notice
     */
    void onPush(Packet push);
}
