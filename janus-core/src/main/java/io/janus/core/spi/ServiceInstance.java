package io.janus.core.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Objects;

/**
 * One live instance of a game service, as {@link Discovery} knows it. Immutable.
 *
 * <p>The address says how to reach it; its scheme tells the {@link Tunnel} which kind it is
 * ({@code inproc:NAME} for a service embedded in the gateway's JVM). Well-known metadata keys:
 * {@value #COLOR}, {@value #VERSION}, {@value #WEIGHT}, {@value #ZONE}.
 */
public final class ServiceInstance {

    /** Metadata key of the release channel the instance serves. */
    public static final String COLOR = "color";
    /** Metadata key of the instance's software version. */
    public static final String VERSION = "version";
    /** Metadata key of the instance's relative weight, a positive integer (1 by default). */
    public static final String WEIGHT = "weight";
    /** Metadata key of the zone the instance serves. */
    public static final String ZONE = "zone";

    private final String service;
    private final String id;
    private final String address;
    private final Map<String, String> metadata;

    private ServiceInstance(String service, String id, String address, Map<String, String> metadata) {
        this.service = requireNonNull(service, "service");
        this.id = requireNonNull(id, "id");
        this.address = requireNonNull(address, "address");
        this.metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
        if (service.isEmpty() || id.isEmpty()) {
            throw new IllegalArgumentException("service and id must not be empty: " + this);
        }
    }

    /**
     * Creates an instance description.
     *
     * @param service the service name ({@code player}, {@code room})
     * @param id the instance id, unique within the service
     * @param address how to reach it, for example {@code inproc:game} or {@code 10.0.0.5:9000}
     * @param metadata color, version, weight, zone and anything else
     * @return the instance
     */
    public static ServiceInstance of(String service, String id, String address, Map<String, String> metadata) {
        return new ServiceInstance(service, id, address, metadata);
    }

    /** The service name. */
    public String service() {
        return service;
    }

    /** The instance id, unique within the service. */
    public String id() {
        return id;
    }

    /** How to reach the instance. */
    public String address() {
        return address;
    }

    /** All metadata. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The release channel the instance serves, {@link Identity#DEFAULT_COLOR} when not set. */
    public String color() {
        return metadata.getOrDefault(COLOR, Identity.DEFAULT_COLOR);
    }

    /** The relative weight for load spreading; 1 when not set or not a positive integer. */
    public int weight() {
        String w = metadata.get(WEIGHT);
        if (w == null) {
            return 1;
        }
        try {
            return Math.max(1, Integer.parseInt(w.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceInstance)) {
            return false;
        }
        ServiceInstance that = (ServiceInstance) o;
        return service.equals(that.service) && id.equals(that.id) && address.equals(that.address)
                && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, id, address, metadata);
    }

    @Override
    public String toString() {
        return "ServiceInstance{" + service + "/" + id + " at " + address + (metadata.isEmpty() ? "" : " " + metadata)
                + "}";
    }
}
