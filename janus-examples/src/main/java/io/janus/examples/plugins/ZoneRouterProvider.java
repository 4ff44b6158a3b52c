package io.janus.examples.plugins;

import static java.util.Objects.requireNonNull;

import io.janus.core.spi.Router;
import io.janus.core.spi.RouterContext;
import io.janus.core.spi.RouterProvider;
import io.janus.core.spi.ServiceInstance;
import java.util.Map;

/**
 * Provides the {@link ZoneRouter} under the name {@value #NAME}, listed in
 * {@code META-INF/services/io.janus.core.spi.RouterProvider}. One property, {@value #METADATA_KEY}: the
 * instance metadata key that holds the zone (default {@code zone}).
 */
public final class ZoneRouterProvider extends RouterProvider {

    /** The provider name. */
    public static final String NAME = "zone";
    /** The property naming the metadata key. */
    public static final String METADATA_KEY = "metadataKey";

    /** Called by {@link java.util.ServiceLoader}. */
    public ZoneRouterProvider() {
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
    public Router newRouter(RouterContext context) {
        requireNonNull(context, "context");
        Map<String, String> properties = context.properties();
        for (String name : properties.keySet()) {
            if (!name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("zone router property " + name + ": unknown (expected: "
                        + METADATA_KEY + ")");
            }
        }
        String key = properties.getOrDefault(METADATA_KEY, ServiceInstance.ZONE).trim();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("zone router property " + METADATA_KEY + ": empty (expected: a "
                    + "metadata key)");
        }
        return new ZoneRouter(context.discovery(), context.routes(), key);
    }
}
