package io.janus.core.discovery;

import io.janus.core.spi.Discovery;
import io.janus.core.spi.DiscoveryProvider;
import io.janus.core.spi.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Provides the {@link StaticDiscovery} under the name {@code static}. Each property names a service and
 * lists its instances as {@code id@address} separated by commas, for example
 * {@code room=room-1@10.0.0.5:9000,room-2@10.0.0.6:9000}.
 */
public final class StaticDiscoveryProvider extends DiscoveryProvider {

    /** The provider name. */
    public static final String NAME = "static";

    /** Called by {@link java.util.ServiceLoader}. */
    public StaticDiscoveryProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Discovery newDiscovery(Map<String, String> properties) {
        List<ServiceInstance> instances = new ArrayList<>();
        properties.forEach((service, list) -> {
            for (String item : list.split(",")) {
                String entry = item.trim();
                int at = entry.indexOf('@');
                if (at <= 0 || at == entry.length() - 1) {
                    throw new IllegalArgumentException("static discovery " + service + ": '" + entry
                            + "' (expected: id@address)");
                }
                instances.add(ServiceInstance.of(service, entry.substring(0, at), entry.substring(at + 1), Map.of()));
            }
        });
        return new StaticDiscovery(instances);
    }
}
