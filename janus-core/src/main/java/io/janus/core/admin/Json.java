package io.janus.core.admin;

import java.util.Iterator;
import java.util.Map;

/**
 * Writes the admin endpoint's small JSON documents by hand (RFC 8259), so janus-core needs no JSON
 * library. Not thread-safe; one per document.
 */
final class Json {

    private final StringBuilder out = new StringBuilder(256);
    private boolean first = true;

    Json() {
        out.append('{');
    }

    /**
     * Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped, and
     * U+2028/U+2029 too, so the output is also safe to embed in JavaScript.
     */
    static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"');
    }

    /** The JSON string of {@code s}. */
    static String quote(String s) {
        return quote(new StringBuilder(s.length() + 2), s).toString();
    }

    private Json key(String key) {
        if (!first) {
            out.append(',');
        }
        first = false;
        quote(out, key).append(':');
        return this;
    }

    Json put(String key, String value) {
        key(key);
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
        return this;
    }

    Json put(String key, long value) {
        key(key).out.append(value);
        return this;
    }

    Json put(String key, double value) {
        // JSON has no NaN or infinity; the values written here are finite rates.
        key(key).out.append(Double.isFinite(value) ? Double.toString(value) : "null");
        return this;
    }

    Json put(String key, boolean value) {
        key(key).out.append(value);
        return this;
    }

    /** A nested object, written by the caller's {@code Json} and taken as raw JSON. */
    Json put(String key, Json object) {
        key(key).out.append(object.toString());
        return this;
    }

    /** An object of counts. */
    Json putCounts(String key, Map<String, ? extends Number> counts) {
        Json object = new Json();
        counts.forEach((k, v) -> object.put(k, v.longValue()));
        return put(key, object);
    }

    /** An array of strings. */
    Json putStrings(String key, Iterable<String> values) {
        key(key).out.append('[');
        Iterator<String> it = values.iterator();
        while (it.hasNext()) {
            quote(out, it.next());
            if (it.hasNext()) {
                out.append(',');
            }
        }
        out.append(']');
        return this;
    }

    @Override
    public String toString() {
        return out + "}";
    }
}
