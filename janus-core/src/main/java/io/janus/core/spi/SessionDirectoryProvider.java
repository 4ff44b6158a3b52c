package io.janus.core.spi;

/**
 * Provides a {@link SessionDirectory}; listed in
 * {@code META-INF/services/io.janus.core.spi.SessionDirectoryProvider}.
 */
public abstract class SessionDirectoryProvider extends JanusProvider {

    /** Constructor for subclasses. */
    protected SessionDirectoryProvider() {
    }

    /**
     * Builds a directory.
     *
     * @param context the gateway's id, local sessions and the directory's properties
     * @return the directory, not started
     */
    public abstract SessionDirectory newDirectory(SessionDirectoryContext context);
}
