package io.janus.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which game service serves each module, and which key spreads the module's traffic over the service's
 * instances: the player id (everything a player does lands on one instance) or the packet's target
 * object id (everything about a room lands on one instance). Immutable.
 *
 * <pre>{@code
 * ModuleRoutes routes = ModuleRoutes.builder()
 *     .route(6, "room", ModuleRoutes.Key.OBJECT)
 *     .defaultService("player")
 *     .build();
 * }</pre>
 */
public final class ModuleRoutes {

    /** What spreads a module's traffic over the instances of its service. */
    public enum Key {
        /** The sending player's id. */
        PLAYER,
        /** The packet's target object id ({@code obj}). */
        OBJECT
    }

    /** The service and key of one module. */
    public static final class Rule {
        private final String service;
        private final Key key;

        Rule(String service, Key key) {
            this.service = requireNonNull(service, "service");
            this.key = requireNonNull(key, "key");
            if (service.isEmpty()) {
                throw new IllegalArgumentException("service must not be empty");
            }
        }

        /** The service name. */
        public String service() {
            return service;
        }

        /** The routing key. */
        public Key key() {
            return key;
        }

        @Override
        public String toString() {
            return service + " by " + key;
        }
    }

    private final Map<Integer, Rule> rules;
    private final Rule defaultRule;

    private ModuleRoutes(Map<Integer, Rule> rules, Rule defaultRule) {
        this.rules = Map.copyOf(rules);
        this.defaultRule = defaultRule;
    }

    /**
     * Starts an empty table.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Looks up the rule of a module.
     *
     * @param module the module
     * @return its rule, the default rule when it has none, or {@code null} when there is no default
     */
    public Rule find(int module) {
        Rule rule = rules.get(module);
        return rule != null ? rule : defaultRule;
    }

    /** Every service named in the table. */
    public Set<String> services() {
        Set<String> services = new LinkedHashSet<>();
        rules.values().forEach(r -> services.add(r.service()));
        if (defaultRule != null) {
            services.add(defaultRule.service());
        }
        return Set.copyOf(services);
    }

    /** Returns a builder holding this table's rules. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.rules.putAll(rules);
        b.defaultRule = defaultRule;
        return b;
    }

    @Override
    public String toString() {
        return "ModuleRoutes{" + rules + ", default=" + defaultRule + "}";
    }

    /** Builds {@link ModuleRoutes}. Not thread-safe. */
    public static final class Builder {
        private final Map<Integer, Rule> rules = new HashMap<>();
        private Rule defaultRule;

        private Builder() {
        }

        /**
         * Routes a module to a service.
         *
         * @param module the module, above 0
         * @param service the service name
         * @param key what spreads the module's traffic over the service's instances
         * @return this builder
         */
        public Builder route(int module, String service, Key key) {
            if (module <= 0) {
                throw new IllegalArgumentException("module: " + module + " (expected: > 0; 0 is the system module)");
            }
            rules.put(module, new Rule(service, key));
            return this;
        }

        /**
         * Routes every module without a rule of its own to a service, by player id.
         *
         * @param service the service name
         * @return this builder
         */
        public Builder defaultService(String service) {
            defaultRule = new Rule(service, Key.PLAYER);
            return this;
        }

        /** Whether a default service is set. */
        public boolean hasDefault() {
            return defaultRule != null;
        }

        /**
         * Builds the table.
         *
         * @return an immutable table
         */
        public ModuleRoutes build() {
            return new ModuleRoutes(rules, defaultRule);
        }
    }
}
