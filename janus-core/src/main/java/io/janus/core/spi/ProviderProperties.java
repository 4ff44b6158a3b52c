package io.janus.core.spi;

import java.util.Map;

/** Reads typed values from the string properties that providers are configured with. */
public final class ProviderProperties {

    private ProviderProperties() {
    }

    /**
     * Returns an integer property.
     *
     * @param properties the provider's properties
     * @param kind what the properties configure, for the message ({@code transport}, {@code tunnel})
     * @param key the property name
     * @param defaultValue the value when the property is absent
     * @return the value
     * @throws IllegalArgumentException naming the kind and key when the value is not an integer
     */
    public static int intProperty(Map<String, String> properties, String kind, String key, int defaultValue) {
        String value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + " property " + key + ": '" + value + "' (expected: an integer)", e);
        }
    }
}
