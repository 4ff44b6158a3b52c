package io.janus.client;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * Where a client can reach a gateway: a transport name ({@code tcp}, {@code ws}, {@code kcp}) and the
 * address that transport listens on. A resumable session reconnects to the endpoint it first used and to
 * those given with {@link JanusClient.Builder#reconnectEndpoint(Endpoint)}, possibly over another transport.
 * Immutable.
 */
public final class Endpoint {

    private final String transport;
    private final InetSocketAddress address;

    private Endpoint(String transport, InetSocketAddress address) {
        this.transport = transport;
        this.address = address;
    }

    /**
     * An endpoint.
     *
     * @param transport the client transport's name in the registry
     * @param address the gateway's address for that transport
     * @return the endpoint
     */
    public static Endpoint of(String transport, InetSocketAddress address) {
        requireNonNull(transport, "transport");
        requireNonNull(address, "address");
        if (transport.isEmpty()) {
            throw new IllegalArgumentException("transport: empty (expected: a transport name such as tcp)");
        }
        return new Endpoint(transport, address);
    }

    /** The transport name. */
    public String transport() {
        return transport;
    }

    /** The address. */
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint && ((Endpoint) o).transport.equals(transport)
                && ((Endpoint) o).address.equals(address);
    }

    @Override
    public int hashCode() {
        return transport.hashCode() * 31 + address.hashCode();
    }

    @Override
    public String toString() {
        return transport + "://" + address.getHostString() + ":" + address.getPort();
    }
}
