package io.janus.core.spi;

/**
 * What every provider of a Janus SPI has in common: a stable name, a priority and a way to say it
 * cannot work here. Providers are found by {@link java.util.ServiceLoader} through the registry of their
 * SPI, or registered by hand.
 *
 * <p>Model: grpc-java's {@code LoadBalancerProvider}.
 */
public abstract class JanusProvider {

    /** The priority of a provider that has no reason to be preferred or avoided. */
    public static final int DEFAULT_PRIORITY = 5;

    /** Constructor for subclasses. */
    protected JanusProvider() {
    }

    /**
     * The stable, lowercase key that configuration uses to select this provider ({@code tcp},
     * {@code ws}, {@code kcp}, {@code redis}, {@code etcd}, ...). Must not change between releases.
     *
     * @return the name
     */
    public abstract String name();

    /**
     * The priority among providers of the same SPI, from 0 to 10; the highest wins when configuration
     * names none. {@value #DEFAULT_PRIORITY} by default.
     *
     * @return the priority
     */
    public int priority() {
        return DEFAULT_PRIORITY;
    }

    /**
     * Whether this provider can work in this JVM (its native library loaded, its dependencies present).
     * Must never throw: a provider that cannot work returns {@code false} and is skipped.
     *
     * @return whether the provider is usable
     */
    public abstract boolean isAvailable();

    @Override
    public String toString() {
        return getClass().getName() + "{name=" + name() + ", priority=" + priority() + "}";
    }
}
