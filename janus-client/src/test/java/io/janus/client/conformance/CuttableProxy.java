package io.janus.client.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy whose connections the test can cut, or refuse, to play a network that drops.
 * Blocking sockets, two pump threads per connection; a handful of connections per test.
 */
public final class CuttableProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile InetSocketAddress target;
    private volatile boolean refusing;
    private volatile CountDownLatch upstreamGate = new CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicLong heldBytes = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Starts a proxy to {@code target} on a free loopback port.
     *
     * @param target where connections go
     * @throws IOException when no port can be bound
     */
    public CuttableProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    public int accepted() {
        return accepted.get();
    }

    public int cuts() {
        return cuts.get();
    }

    public void retarget(InetSocketAddress newTarget) {
        this.target = newTarget;
    }

    /** Whether new connections are closed as soon as accepted. */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    /** Stops forwarding what clients send (until the next cut): it waits in the proxy. */
    public void holdUpstream() {
        upstreamGate = new CountDownLatch(1);
    }

    /** Bytes from clients waiting in the proxy since {@link #holdUpstream()}. */
    public long heldBytes() {
        return heldBytes.get();
    }

    /** Closes every connection through the proxy, both sides; what was held is lost with them. */
    public void cut() {
        cuts.incrementAndGet();
        // Sockets first, then the gate: a pump released before its sockets close would still
        // forward what it held.
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
        upstreamGate.countDown();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            accepted.incrementAndGet();
            sockets.add(client);
            sockets.add(upstream);
            pump(client, upstream, true);
            pump(upstream, client, false);
        }
    }

    private void pump(Socket from, Socket to, boolean upstreamDirection) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) { // ends when either socket closes
                    CountDownLatch gate = upstreamGate;
                    if (upstreamDirection && gate.getCount() > 0) {
                        heldBytes.addAndGet(n);
                        if (!gate.await(30, TimeUnit.SECONDS) || from.isClosed()) {
                            return; // cut while held: the bytes are lost, as on a dead link
                        }
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // cut
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cut();
    }
}
