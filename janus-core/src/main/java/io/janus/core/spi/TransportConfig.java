package io.janus.core.spi;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What a {@link TransportProvider} needs to build a transport: where to listen, and transport-specific
 * properties (for example {@code path} for WebSocket). Immutable.
 */
public final class TransportConfig {

    private final InetSocketAddress address;
    private final Map<String, String> properties;

    private TransportConfig(InetSocketAddress address, Map<String, String> properties) {
        this.address = requireNonNull(address, "address");
        this.properties = Map.copyOf(requireNonNull(properties, "properties"));
    }

    /**
     * Creates a configuration.
     *
     * @param address the address to bind; port 0 picks a free port
     * @param properties transport-specific properties
     * @return the configuration
     */
    public static TransportConfig of(InetSocketAddress address, Map<String, String> properties) {
        return new TransportConfig(address, properties);
    }

    /** The address to bind. */
    public InetSocketAddress address() {
        return address;
    }

    /** Transport-specific properties. */
    public Map<String, String> properties() {
        return properties;
    }

    /**
     * Returns an integer property.
     *
     * @param key the property name
     * @param defaultValue the value when the property is absent
     * @return the value
     * @throws IllegalArgumentException naming the key when the value is not an integer
     */
    public int intProperty(String key, int defaultValue) {
        return ProviderProperties.intProperty(properties, "transport", key, defaultValue);
    }

    @Override
    public String toString() {
        return "TransportConfig{address=" + address + ", properties=" + properties + "}";
    }
}
