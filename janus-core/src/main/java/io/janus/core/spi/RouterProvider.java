package io.janus.core.spi;

/** Provides a {@link Router}; listed in {@code META-INF/services/io.janus.core.spi.RouterProvider}. */
public abstract class RouterProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected RouterProvider() {
    }

    /**
     * Builds a router.
     *
     * @param context the gateway's discovery, module table and router properties
     * @return the router
     */
    public abstract Router newRouter(RouterContext context);
}
