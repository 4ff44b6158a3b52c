package io.janus.core.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code JANUS_...} environment variables, and which of them the loader used, so that one matching
 * no key is reported (a typo must not be ignored silently). Variables without the prefix are not kept.
 */
final class Environment {

    /** Bounds the variables kept; an environment is small, this guards against a hostile map. */
    static final int MAX_VARIABLES = 1000;

    private final Map<String, String> variables = new TreeMap<>();
    private final Set<String> used = new TreeSet<>();

    Environment(Map<String, String> environment, Problems problems) {
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (e.getKey() != null && e.getKey().startsWith(ConfigKeys.ENV_PREFIX) && e.getValue() != null) {
                if (variables.size() == MAX_VARIABLES) {
                    problems.add("environment: more than " + MAX_VARIABLES + " " + ConfigKeys.ENV_PREFIX
                            + " variables (expected: at most " + MAX_VARIABLES + ")");
                    break;
                }
                variables.put(e.getKey(), e.getValue());
            }
        }
    }

    /** The value of a variable, marking it used, or null. */
    String take(String name) {
        String value = variables.get(name);
        if (value != null) {
            used.add(name);
        }
        return value;
    }

    /** Whether any variable starts with the prefix (a section given only through the environment). */
    boolean hasPrefix(String prefix) {
        String next = ((TreeMap<String, String>) variables).ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }

    /** The variables that start with the prefix, not marked used. */
    Map<String, String> withPrefix(String prefix) {
        Map<String, String> found = new TreeMap<>();
        ((TreeMap<String, String>) variables).tailMap(prefix, true).forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                found.put(k, v);
            }
        });
        return found;
    }

    void markUsed(String name) {
        used.add(name);
    }

    void reportUnused(Problems problems) {
        for (String name : variables.keySet()) {
            if (!used.contains(name)) {
                problems.add("environment: " + name + ": matches no key of " + ConfigKeys.CONFIG_FILE + ", "
                        + ConfigKeys.SECRET_FILE + " or " + ConfigKeys.REGISTRY_FILE
                        + " (expected: a name built as docs/configuration.md, section \"Environment overrides\", says)");
            }
        }
    }
}
