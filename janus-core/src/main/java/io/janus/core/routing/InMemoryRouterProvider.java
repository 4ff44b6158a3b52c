package io.janus.core.routing;

import io.janus.core.spi.Router;
import io.janus.core.spi.RouterContext;
import io.janus.core.spi.RouterProvider;

/** Provides the {@link InMemoryRouter} under the name {@code memory}. */
public final class InMemoryRouterProvider extends RouterProvider {

    /** The provider name. */
    public static final String NAME = "memory";

    /** Called by {@link java.util.ServiceLoader}. */
    public InMemoryRouterProvider() {
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
        return new InMemoryRouter(context.discovery(), context.routes(), context.health());
    }
}
