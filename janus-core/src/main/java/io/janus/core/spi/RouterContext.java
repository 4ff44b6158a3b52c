package io.janus.core.spi;

import io.janus.core.routing.ModuleRoutes;
import java.util.Map;

/** What the gateway gives a {@link RouterProvider}. Implemented by the gateway. */
public interface RouterContext {

    /**
     * Where instances are found.
     *
     * @return the gateway's discovery
     */
    Discovery discovery();

    /**
     * Which service serves each module, and by which key.
     *
     * @return the module table
     */
    ModuleRoutes routes();

    /**
     * Router-specific properties.
     *
     * @return properties, possibly empty
     */
    Map<String, String> properties();

    /**
     * Instances the tunnel found failing, to avoid until discovery catches up.
     *
     * @return the gateway's health table, shared with its tunnel
     */
    default io.janus.core.routing.InstanceHealth health() {
        return new io.janus.core.routing.InstanceHealth();
    }
}
