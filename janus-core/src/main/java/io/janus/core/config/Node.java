package io.janus.core.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cursor over one map of a YAML file that reads typed values, applies the environment override of
 * each key it reads, records a problem (naming the file and key path) for every value of the wrong
 * type or out of range, and reports the keys nobody read as unknown. Never throws for bad input.
 */
final class Node {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private final String file;
    private final String path;
    private final Map<?, ?> map;
    private final boolean present;
    private final Environment env;
    private final Problems problems;
    private final Set<Object> read = new LinkedHashSet<>();

    private Node(String file, String path, Map<?, ?> map, boolean present, Environment env, Problems problems) {
        this.file = file;
        this.path = path;
        this.map = map;
        this.present = present;
        this.env = env;
        this.problems = problems;
    }

    /** The root of a file; {@code map} null when the file is missing. */
    static Node root(String file, Map<String, Object> map, Environment env, Problems problems) {
        return new Node(file, "", map == null ? Map.of() : map, map != null, env, problems);
    }

    /** Whether the map was in the file (or, for a section, given through the environment). */
    boolean present() {
        return present;
    }

    /** Whether the key is in the file or overridden. */
    boolean has(String key) {
        String p = checked(key, true);
        return map.containsKey(key) || env.hasPrefix(ConfigKeys.envName(file, p));
    }

    String file() {
        return file;
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Records a problem about a key of this map. */
    void problem(String key, String message) {
        problems.add(file, key == null ? path : path(key), message);
    }

    /** The child path, checked against the catalogue: asking for an unlisted key is a bug in the loader. */
    private String checked(String key, boolean section) {
        String p = path(key);
        String generic = p.replaceAll("\\[\\d+]", "[]");
        boolean known = ConfigKeys.isKnown(file, p) || (section && ConfigKeys.keys(file).stream()
                .anyMatch(k -> k.startsWith(generic + ".") || k.startsWith(generic + "[]")));
        if (!known) {
            throw new IllegalStateException(file + ": " + generic + " is missing from ConfigKeys");
        }
        return p;
    }

    /** A scalar: the override, else the file's value, else null. */
    private Value value(String key) {
        String p = checked(key, false);
        read.add(key);
        String name = ConfigKeys.envName(file, p);
        String override = env.take(name);
        if (override != null) {
            return new Value(p + " (from " + name + ")", override, true);
        }
        Object v = map.get(key);
        return v == null ? null : new Value(p, v, false);
    }

    /** Where a value came from, and the value: a String from the environment, any YAML type from a file. */
    private static final class Value {
        final String where;
        final Object raw;
        final boolean fromEnv;

        Value(String where, Object raw, boolean fromEnv) {
            this.where = where;
            this.raw = raw;
            this.fromEnv = fromEnv;
        }
    }

    private void bad(Value v, String expected, boolean secret) {
        String got = secret ? "" : ", got " + show(v.raw);
        problems.add(file, v.where, "expected " + expected + got);
    }

    String string(String key, String defaultValue) {
        return string(key, defaultValue, false);
    }

    /**
     * A string.
     *
     * @param secret whether the value is a secret: then no message quotes it
     */
    String string(String key, String defaultValue, boolean secret) {
        Value v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v.raw instanceof String)) {
            problems.add(file, v.where, "expected a string, got " + (secret ? "a value of type " + typeName(v.raw) : show(v.raw)));
            return defaultValue;
        }
        return (String) v.raw;
    }

    long integer(String key, long defaultValue, long min, long max) {
        Value v = value(key);
        if (v == null) {
            return defaultValue;
        }
        Long n = null;
        if (v.fromEnv) {
            try {
                n = Long.parseLong(((String) v.raw).trim());
            } catch (NumberFormatException e) {
                n = null;
            }
        } else if (v.raw instanceof Integer || v.raw instanceof Long) {
            n = ((Number) v.raw).longValue();
        }
        if (n == null || n < min || n > max) {
            bad(v, "an integer from " + min + " to " + max, false);
            return defaultValue;
        }
        return n;
    }

    int integer(String key, int defaultValue, int min, int max) {
        return (int) integer(key, (long) defaultValue, min, max);
    }

    /** A number above {@code exclusiveMin}, finite. */
    double decimal(String key, double defaultValue, double exclusiveMin) {
        Value v = value(key);
        if (v == null) {
            return defaultValue;
        }
        Double d = null;
        if (v.fromEnv) {
            try {
                d = Double.parseDouble(((String) v.raw).trim());
            } catch (NumberFormatException e) {
                d = null;
            }
        } else if (v.raw instanceof Number && !(v.raw instanceof BigInteger)) {
            d = ((Number) v.raw).doubleValue();
        }
        if (d == null || !(d > exclusiveMin) || d.isInfinite() || d.isNaN()) {
            bad(v, "a number above " + exclusiveMin, false);
            return defaultValue;
        }
        return d;
    }

    /** A duration written as an integer and a unit: ms, s, m, h or d ({@code 500ms}, {@code 30s}). */
    Duration duration(String key, Duration defaultValue) {
        return duration(key, defaultValue, false);
    }

    /**
     * A duration, where {@code allowZero} also takes {@code 0s} (a setting that 0 turns off).
     */
    Duration duration(String key, Duration defaultValue, boolean allowZero) {
        Value v = value(key);
        if (v == null) {
            return defaultValue;
        }
        Duration d = v.raw instanceof String ? parseDuration(((String) v.raw).trim()) : null;
        if (d == null || (d.isZero() && !allowZero)) {
            bad(v, allowZero ? "a duration like 30s (an integer >= 0 and ms, s, m, h or d)"
                    : "a duration like 30s (a positive integer and ms, s, m, h or d)", false);
            return defaultValue;
        }
        return d;
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofDays(n);
        }
    }

    /** An enum constant, by name, ignoring case. */
    <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        Value v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (v.raw instanceof String) {
            String name = ((String) v.raw).trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        bad(v, "one of " + names, false);
        return defaultValue;
    }

    /**
     * A map of provider-specific properties: scalar values, as strings. An environment variable
     * {@code <key's variable>_<NAME>} overrides the property whose name, upper-cased without other
     * characters than letters and digits, is NAME; it cannot add a property the file does not have.
     */
    Map<String, String> properties(String key) {
        String p = checked(key, false);
        read.add(key);
        Map<String, String> properties = new LinkedHashMap<>();
        Object raw = map.get(key);
        if (raw != null && !(raw instanceof Map)) {
            problems.add(file, p, "expected a map of properties, got " + show(raw));
        } else if (raw != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) raw).entrySet()) {
                Object value = e.getValue();
                if (!(e.getKey() instanceof String)) {
                    problems.add(file, p, "expected string property names, got " + show(e.getKey()));
                } else if (value == null || value instanceof Map || value instanceof List) {
                    problems.add(file, p + "." + e.getKey(), "expected a string, number or boolean, got "
                            + (value == null ? "nothing" : "a " + typeName(value)));
                } else {
                    properties.put((String) e.getKey(), String.valueOf(value));
                }
            }
        }
        String prefix = ConfigKeys.envName(file, p) + "_";
        env.withPrefix(prefix).forEach((name, value) -> {
            String wanted = ConfigKeys.normalize(name.substring(prefix.length())).replace("_", "");
            String match = null;
            for (String property : properties.keySet()) {
                if (ConfigKeys.normalize(property).replace("_", "").equals(wanted)) {
                    match = property;
                }
            }
            env.markUsed(name);
            if (match == null) {
                problems.add("environment: " + name + ": " + file + " has no property " + p + ".<" + wanted
                        + "> to override (expected: the property in the file, with any value)");
            } else {
                properties.put(match, value);
            }
        });
        return properties;
    }

    /** A list of strings; from the environment, comma-separated. */
    List<String> stringList(String key, boolean secret) {
        Value v = value(key);
        if (v == null) {
            return List.of();
        }
        if (v.fromEnv) {
            List<String> items = new ArrayList<>();
            for (String item : ((String) v.raw).split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
            return items;
        }
        if (!(v.raw instanceof List)) {
            problems.add(file, v.where, "expected a list of strings, got a " + typeName(v.raw));
            return List.of();
        }
        List<String> items = new ArrayList<>();
        List<?> list = (List<?>) v.raw;
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item instanceof String) {
                items.add((String) item);
            } else {
                problems.add(file, v.where + "[" + i + "]", "expected a string, got "
                        + (secret ? "a value of type " + typeName(item) : show(item)));
            }
        }
        return items;
    }

    /** A nested map; an empty node when absent or malformed (then with a problem). */
    Node section(String key) {
        String p = checked(key, true);
        read.add(key);
        Object raw = map.get(key);
        boolean fromEnv = env.hasPrefix(ConfigKeys.envName(file, p) + "_");
        if (raw == null) {
            return new Node(file, p, Map.of(), fromEnv, env, problems);
        }
        if (!(raw instanceof Map)) {
            problems.add(file, p, "expected a map of keys, got " + show(raw));
            return new Node(file, p, Map.of(), false, env, problems);
        }
        return new Node(file, p, (Map<?, ?>) raw, true, env, problems);
    }

    /** A list of maps. */
    List<Node> list(String key) {
        String p = checked(key, true);
        read.add(key);
        Object raw = map.get(key);
        if (raw == null) {
            return List.of();
        }
        if (!(raw instanceof List)) {
            problems.add(file, p, "expected a list, got " + show(raw));
            return List.of();
        }
        List<Node> nodes = new ArrayList<>();
        List<?> list = (List<?>) raw;
        for (int i = 0; i < list.size(); i++) {
            String ip = p + "[" + i + "]";
            if (list.get(i) instanceof Map) {
                nodes.add(new Node(file, ip, (Map<?, ?>) list.get(i), true, env, problems));
            } else {
                problems.add(file, ip, "expected a map of keys, got " + show(list.get(i)));
            }
        }
        return nodes;
    }

    /** Reports every key of this map that was not read as unknown. Call after reading. */
    void finish() {
        List<String> known = new ArrayList<>();
        String generic = path.replaceAll("\\[\\d+]", "[]");
        for (String k : ConfigKeys.keys(file)) {
            String rest = generic.isEmpty() ? k : k.startsWith(generic + ".") ? k.substring(generic.length() + 1) : null;
            if (rest != null) {
                String first = rest.split("[.\\[]", 2)[0];
                if (!known.contains(first)) {
                    known.add(first);
                }
            }
        }
        for (Object key : map.keySet()) {
            if (!read.contains(key)) {
                problems.add(file, key instanceof String ? path((String) key) : path,
                        (key instanceof String ? "unknown key" : "unknown key " + show(key))
                                + " (expected one of: " + String.join(", ", known) + ")");
            }
        }
    }

    static String typeName(Object value) {
        if (value instanceof Map) {
            return "map";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Double || value instanceof Float) {
            return "number";
        }
        if (value instanceof Number) {
            return "integer";
        }
        return "value";
    }

    private static String show(Object value) {
        if (value instanceof String) {
            String s = (String) value;
            return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
        }
        if (value instanceof Map || value instanceof List) {
            return "a " + typeName(value);
        }
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return "Node{" + file + ": " + path + "}";
    }
}
