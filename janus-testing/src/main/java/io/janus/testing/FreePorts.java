package io.janus.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Finds free TCP ports on the loopback interface for servers that tests start. */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * Returns a TCP port on 127.0.0.1 that was free a moment ago. Another process may take it before
     * the caller binds it; prefer binding to port 0 where the server allows it.
     *
     * @return a port number
     */
    public static int tcp() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
