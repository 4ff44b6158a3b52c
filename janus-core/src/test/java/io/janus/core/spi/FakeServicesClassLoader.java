package io.janus.core.spi;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

/**
 * A class loader that answers lookups of {@code META-INF/services/...} with the fake service files it was
 * given, and only those, and leaves loading classes to its parent (the test class loader). The real
 * service files on the class path are hidden, so a registry loaded from it sees exactly the fakes.
 *
 * <p>Model: grpc-java's {@code ReplacingClassLoader} in {@code ServiceProvidersTest}.
 */
final class FakeServicesClassLoader extends ClassLoader {

    private static final String SERVICES = "META-INF/services/";

    private final Map<String, List<URL>> services;

    /**
     * @param parent loads the classes
     * @param services the fake files by SPI class, for example {@code TransportProvider.class -> [url]}
     */
    FakeServicesClassLoader(ClassLoader parent, Map<Class<?>, List<URL>> services) {
        super(requireNonNull(parent, "parent"));
        this.services = Map.copyOf(services.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> SERVICES + e.getKey().getName(), Map.Entry::getValue)));
    }

    /** A loader that hides every service file. */
    static FakeServicesClassLoader withoutServices() {
        return new FakeServicesClassLoader(FakeServicesClassLoader.class.getClassLoader(), Map.of());
    }

    /**
     * A loader whose only service file for {@code spi} is the test resource {@code resource}.
     *
     * @param spi the SPI class
     * @param resource a resource path relative to this package
     */
    static FakeServicesClassLoader with(Class<?> spi, String resource) {
        URL url = FakeServicesClassLoader.class.getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("test resource not found: " + resource);
        }
        return new FakeServicesClassLoader(FakeServicesClassLoader.class.getClassLoader(), Map.of(spi, List.of(url)));
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith(SERVICES)) {
            return Collections.enumeration(services.getOrDefault(name, List.of()));
        }
        return super.getResources(name);
    }

    @Override
    public URL getResource(String name) {
        if (name.startsWith(SERVICES)) {
            List<URL> urls = services.getOrDefault(name, List.of());
            return urls.isEmpty() ? null : urls.get(0);
        }
        return super.getResource(name);
    }
}
