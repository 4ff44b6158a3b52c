package io.janus.client;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Where a client can reach a gateway: a transport name ({@code tcp}, {@code ws}, {@code kcp}) and the
 * address that transport listens on. A resumable session reconnects to the endpoint it first used and to
 * those given with {@link JanusClient.Builder#reconnectEndpoint(Endpoint)}, possibly over another transport.
 * Immutable.
 */
public final class Endpoint {

    private final String transport;
    private final InetSocketAddress address;
    private final Map<String, String> properties;

    private Endpoint(String transport, InetSocketAddress address, Map<String, String> properties) {
        this.transport = transport;
        this.address = address;
        this.properties = properties;
    }

    /**
     * An endpoint.
     *
     * @param transport the client transport's name in the registry
     * @param address the gateway's address for that transport
     * @return the endpoint
     */
    public static Endpoint of(String transport, InetSocketAddress address) {
        return of(transport, address, Map.of());
    }

    /**
     * An endpoint whose client transport needs properties, for example {@code path} or {@code tls} for
     * {@code ws}.
     *
     * @param transport the client transport's name in the registry
     * @param address the gateway's address for that transport
     * @param properties the transport's properties, as for {@link JanusClient.Builder#transport(String, Map)}
     * @return the endpoint
     */
    public static Endpoint of(String transport, InetSocketAddress address, Map<String, String> properties) {
        requireNonNull(transport, "transport");
        requireNonNull(address, "address");
        requireNonNull(properties, "properties");
        if (transport.isEmpty()) {
            throw new IllegalArgumentException("transport: empty (expected: a transport name such as tcp)");
        }
        return new Endpoint(transport, address, Map.copyOf(properties));
    }

    /** The transport name. */
    public String transport() {
        return transport;
    }

    /** The address. */
    public InetSocketAddress address() {
        return address;
    }

    /** The transport's properties; empty for the defaults. */
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint && ((Endpoint) o).transport.equals(transport)
                && ((Endpoint) o).address.equals(address) && ((Endpoint) o).properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return (transport.hashCode() * 31 + address.hashCode()) * 31 + properties.hashCode();
    }

    @Override
    public String toString() {
        return transport + "://" + address.getHostString() + ":" + address.getPort();
    }
}
