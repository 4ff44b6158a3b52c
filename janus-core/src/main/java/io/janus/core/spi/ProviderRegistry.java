package io.janus.core.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one SPI: those found by {@link ServiceLoader} plus those registered by hand, kept as
 * an immutable snapshot ordered by priority (highest first), then by class name, so that the choice is
 * the same on every run. Thread-safe: registration takes a lock and replaces the snapshot; lookups read
 * the snapshot without locking.
 *
 * <p>Each SPI has a final subclass with a lazily loaded {@code getDefaultRegistry()}. Model: grpc-java's
 * {@code LoadBalancerRegistry}.
 *
 * @param <P> the provider type
 */
public abstract class ProviderRegistry<P extends JanusProvider> {

    private static final Logger logger = LoggerFactory.getLogger(ProviderRegistry.class);

    private static final Comparator<JanusProvider> ORDER = Comparator
            .comparingInt(JanusProvider::priority).reversed()
            .thenComparing(p -> p.getClass().getName());

    private final Class<P> type;
    private final String kind;
    private final Map<String, String> artifacts;
    private final Set<P> all = new LinkedHashSet<>();
    private volatile List<P> snapshot = List.of();

    /**
     * Creates an empty registry.
     *
     * @param type the provider class, as listed in {@code META-INF/services}
     * @param kind what the providers provide, for messages ("transport", "router")
     * @param artifacts the Maven artifact that ships each well-known provider name, for the message
     *        given when a name is missing
     */
    protected ProviderRegistry(Class<P> type, String kind, Map<String, String> artifacts) {
        this.type = requireNonNull(type, "type");
        this.kind = requireNonNull(kind, "kind");
        this.artifacts = Map.copyOf(artifacts);
    }

    /**
     * Loads the providers listed for {@code type} in the {@code META-INF/services} files visible to
     * {@code classLoader}. A provider that cannot be instantiated is logged and skipped, so one broken
     * jar does not take down the others.
     *
     * @param type the provider class
     * @param classLoader where to look
     * @param <P> the provider type
     * @return the providers, in the order the loader found them
     */
    protected static <P> List<P> load(Class<P> type, ClassLoader classLoader) {
        List<P> found = new ArrayList<>();
        Iterator<P> it = ServiceLoader.load(type, classLoader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                logger.warn("Skipping a {} that could not be loaded", type.getName(), e);
            }
        }
        return found;
    }

    /**
     * Adds the available ones among {@code providers}; the unavailable are skipped with a log line.
     *
     * @param providers providers to add
     */
    protected final synchronized void addAvailable(Iterable<? extends P> providers) {
        for (P p : providers) {
            if (isAvailable(p)) {
                all.add(p);
            } else {
                logger.debug("Skipping {} provider {}: isAvailable() returned false", kind, p);
            }
        }
        refresh();
    }

    /**
     * Registers a provider built by hand.
     *
     * @param provider the provider
     * @throws IllegalArgumentException if the provider says it is not available
     */
    public final synchronized void register(P provider) {
        requireNonNull(provider, "provider");
        if (!isAvailable(provider)) {
            throw new IllegalArgumentException(provider + " is not available (isAvailable() returned false)");
        }
        all.add(provider);
        refresh();
    }

    /**
     * Removes a provider; a provider that is not registered is ignored.
     *
     * @param provider the provider
     */
    public final synchronized void deregister(P provider) {
        requireNonNull(provider, "provider");
        all.remove(provider);
        refresh();
    }

    private void refresh() {
        List<P> sorted = new ArrayList<>(all);
        sorted.sort(ORDER);
        snapshot = List.copyOf(sorted);
    }

    private static boolean isAvailable(JanusProvider p) {
        try {
            return p.isAvailable();
        } catch (RuntimeException | LinkageError e) {
            // The contract says never throw; a provider that does is treated as unavailable.
            logger.warn("{}.isAvailable() threw; treating it as unavailable", p.getClass().getName(), e);
            return false;
        }
    }

    /**
     * Returns the registered providers, highest priority first.
     *
     * @return an immutable snapshot
     */
    public final List<P> providers() {
        return snapshot;
    }

    /**
     * Returns the highest-priority provider named {@code name}.
     *
     * @param name the provider name
     * @return the provider
     * @throws IllegalStateException naming the artifact to add when no provider has that name
     */
    public final P getProvider(String name) {
        requireNonNull(name, "name");
        for (P p : snapshot) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        String artifact = artifacts.get(name);
        String hint = artifact != null
                ? "Add the Maven dependency " + artifact + " to the class path."
                : "Add the artifact that provides it; it must list its provider in META-INF/services/"
                        + type.getName() + ".";
        throw new IllegalStateException("No " + kind + " provider named '" + name + "' is available. " + hint
                + " Available " + kind + " providers: " + names() + ".");
    }

    /**
     * Returns the highest-priority provider of all.
     *
     * @return the provider
     * @throws IllegalStateException when no provider is registered
     */
    public final P getDefaultProvider() {
        List<P> current = snapshot;
        if (current.isEmpty()) {
            throw new IllegalStateException("No " + kind + " provider is available. Add a module that provides "
                    + "one, for example " + artifacts.values().stream().sorted().findFirst().orElse(type.getName())
                    + ".");
        }
        return current.get(0);
    }

    /**
     * Selects a provider: the one named when {@code name} is given (an explicit name in configuration
     * beats priority), otherwise the highest-priority one.
     *
     * @param name a provider name, or {@code null}
     * @return the provider
     */
    public final P select(String name) {
        return name == null ? getDefaultProvider() : getProvider(name);
    }

    private List<String> names() {
        return snapshot.stream().map(JanusProvider::name).distinct().collect(Collectors.toList());
    }
}
