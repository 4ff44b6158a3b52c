package io.janus.core.routing;

import io.janus.core.spi.SessionDirectory;
import io.janus.core.spi.SessionDirectoryContext;
import io.janus.core.spi.SessionDirectoryProvider;

/** Provides the {@link LocalSessionDirectory} under the name {@code local}. */
public final class LocalSessionDirectoryProvider extends SessionDirectoryProvider {

    /** The provider name. */
    public static final String NAME = "local";

    /** Called by {@link java.util.ServiceLoader}. */
    public LocalSessionDirectoryProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Above the default, so that a shared directory on the class path is used only when named. */
    @Override
    public int priority() {
        return 6;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public SessionDirectory newDirectory(SessionDirectoryContext context) {
        return new LocalSessionDirectory(context.localPusher());
    }
}
