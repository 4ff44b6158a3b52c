package io.janus.bench.load;

import io.janus.core.Gateway;
import io.janus.core.game.Push;
import io.janus.core.session.Session;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A gateway and a fleet of real client sessions in this JVM, over TCP on 127.0.0.1, for the broadcast
 * benchmark: pushes to every session and waits until every client has decrypted its copy. The clients
 * share the machine with the gateway, so a delivery's time includes the client's read and AES-GCM open.
 */
public final class BroadcastRig implements AutoCloseable {

    private final BenchGateway gateway;
    private final Fleet fleet;
    private final int sessions;

    private BroadcastRig(BenchGateway gateway, Fleet fleet, int sessions) {
        this.gateway = gateway;
        this.fleet = fleet;
        this.sessions = sessions;
    }

    /**
     * Starts an echo gateway and opens {@code sessions} logged-in sessions to it.
     *
     * @param sessions client sessions, at least 1
     * @param serverThreads the gateway's worker threads
     * @param clientThreads the clients' event loop threads
     * @return the rig
     * @throws Exception when the gateway does not start or a session does not open within 60 seconds
     */
    public static BroadcastRig start(int sessions, int serverThreads, int clientThreads) throws Exception {
        if (sessions < 1) {
            throw new IllegalArgumentException("sessions: " + sessions + " (expected: >= 1)");
        }
        BenchGateway gateway = BenchGateway.start(serverThreads, null, false);
        Fleet fleet = null;
        try {
            ErrorCounts errors = new ErrorCounts();
            fleet = new Fleet(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()), false, "tcp",
                    gateway.secrets().rootKeyBase64(), gateway.secrets().issuer(), clientThreads,
                    new SourceAddresses(1), 1, errors);
            int opened = fleet.open(sessions, 5_000, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            if (opened != sessions) {
                throw new IllegalStateException("opened " + opened + " of " + sessions + " sessions: " + errors.snapshot());
            }
            return new BroadcastRig(gateway, fleet, sessions);
        } catch (Exception | Error e) {
            if (fleet != null) {
                fleet.close();
            }
            gateway.close();
            throw e;
        }
    }

    /** The gateway. */
    public Gateway gateway() {
        return gateway.gateway();
    }

    /** The open sessions, as the gateway sees them. */
    public List<Session> sessions() {
        return List.copyOf(gateway.gateway().sessions().sessions());
    }

    /** Pushes the clients have received so far. */
    public long delivered() {
        return fleet.pushes();
    }

    /**
     * Waits until the clients have received {@code total} pushes in all.
     *
     * @param total the count of {@link #delivered()} to reach
     * @param timeoutMillis how long to wait at most
     * @throws IllegalStateException when they have not within the time
     */
    public void awaitDelivered(long total, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (fleet.pushes() < total) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("delivered " + fleet.pushes() + " of " + total + " pushes in "
                        + timeoutMillis + " ms");
            }
            // Parked, not spinning: a spinning thread would take a core from the gateway and the clients.
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * The module benchmark pushes use, which the clients count.
     *
     * @param body the body
     * @return the push
     */
    public static Push push(byte[] body) {
        return Push.of(BenchGateway.PUSH_MODULE, 1, com.google.protobuf.ByteString.copyFrom(body));
    }

    /** The sessions the rig opened. */
    public int size() {
        return sessions;
    }

    /** Closes the clients, then the gateway. */
    @Override
    public void close() {
        try {
            fleet.close();
        } finally {
            gateway.close();
        }
    }
}
