package io.janus.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Discovery;
import io.janus.core.spi.DiscoveryProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Provides the {@link EtcdDiscovery} under the name {@value #NAME}. Properties:
 * <ul>
 *   <li>{@code endpoints} (required): comma-separated {@code http://host:port} client URLs;</li>
 *   <li>{@code prefix}: the key prefix, {@code /janus/services/} by default;</li>
 *   <li>{@code ttl}: the lease TTL in whole seconds, 15 by default (at least 2);</li>
 *   <li>{@code requestTimeout}: how long one etcd call may take, in milliseconds, 5000 by default;</li>
 *   <li>{@code maxInstancesPerService}: 1024 by default;</li>
 *   <li>{@code maxWatchedServices}: 256 by default.</li>
 * </ul>
 * An unknown property is refused, so that a misspelt one does not go unnoticed.
 */
public final class EtcdDiscoveryProvider extends DiscoveryProvider {

    /** The provider name. */
    public static final String NAME = "etcd";

    private static final Set<String> KNOWN = Set.of("endpoints", "prefix", "ttl", "requestTimeout",
            "maxInstancesPerService", "maxWatchedServices");

    /** Called by {@link java.util.ServiceLoader}. */
    public EtcdDiscoveryProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        try {
            Class.forName("io.etcd.jetcd.Client", false, EtcdDiscoveryProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public Discovery newDiscovery(Map<String, String> properties) {
        requireNonNull(properties, "properties");
        for (String name : properties.keySet()) {
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("etcd discovery: unknown property '" + name + "' (expected one of "
                        + new TreeSet<>(KNOWN) + ")");
            }
        }
        String endpoints = properties.get("endpoints");
        if (endpoints == null || endpoints.isBlank()) {
            throw new IllegalArgumentException("etcd discovery: property 'endpoints' is required "
                    + "(expected: comma-separated http://host:port)");
        }
        EtcdDiscovery.Builder b = EtcdDiscovery.builder().endpoints(endpoints.split(","));
        String prefix = properties.get("prefix");
        if (prefix != null) {
            b.prefix(prefix);
        }
        String ttl = properties.get("ttl");
        if (ttl != null) {
            b.ttl(Duration.ofSeconds(number("ttl", ttl)));
        }
        String timeout = properties.get("requestTimeout");
        if (timeout != null) {
            b.requestTimeout(Duration.ofMillis(number("requestTimeout", timeout)));
        }
        String maxInstances = properties.get("maxInstancesPerService");
        if (maxInstances != null) {
            b.maxInstancesPerService((int) number("maxInstancesPerService", maxInstances));
        }
        String maxServices = properties.get("maxWatchedServices");
        if (maxServices != null) {
            b.maxWatchedServices((int) number("maxWatchedServices", maxServices));
        }
        return b.build();
    }

    private static long number(String name, String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n <= 0 || n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("etcd discovery: property '" + name + "' is '" + value
                    + "' (expected: a positive integer)");
        }
    }
}
