package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one-line JSON objects the benchmark processes exchange (ready lines, summaries, gateway
 * statistics): flat objects of strings and numbers only (RFC 8259, a subset). Not a general parser: a
 * nested value or an unexpected character is an {@link IllegalArgumentException}.
 */
public final class FlatJson {

    private FlatJson() {
    }

    /**
     * Writes a flat object.
     *
     * @param values names to strings, numbers or booleans, in the order to write
     * @return one line of JSON
     */
    public static String write(Map<String, ?> values) {
        requireNonNull(values, "values");
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            string(out, e.getKey());
            out.append(':');
            Object v = e.getValue();
            if (v instanceof Number || v instanceof Boolean) {
                double d = v instanceof Number ? ((Number) v).doubleValue() : 0;
                out.append(Double.isFinite(d) ? v.toString() : "null");
            } else if (v == null) {
                out.append("null");
            } else {
                string(out, v.toString());
            }
        }
        return out.append('}').toString();
    }

    /**
     * Parses a flat object written by {@link #write}.
     *
     * @param json the line
     * @return names to {@link String} or {@link Double} values ({@code null} for null), in order
     */
    public static Map<String, Object> parse(String json) {
        requireNonNull(json, "json");
        Map<String, Object> values = new LinkedHashMap<>();
        int[] at = {skip(json, 0)};
        expect(json, at, '{');
        if (peek(json, at) == '}') {
            at[0]++;
            return values;
        }
        while (true) {
            String name = readString(json, at);
            expect(json, at, ':');
            char c = peek(json, at);
            Object value;
            if (c == '"') {
                value = readString(json, at);
            } else {
                int start = at[0];
                while (at[0] < json.length() && ",} \t".indexOf(json.charAt(at[0])) < 0) {
                    at[0]++;
                }
                String token = json.substring(start, at[0]);
                value = token.equals("null") ? null : token.equals("true") || token.equals("false")
                        ? (Object) token : Double.valueOf(parseNumber(token));
            }
            values.put(name, value);
            char next = peek(json, at);
            at[0]++;
            if (next == '}') {
                return values;
            }
            if (next != ',') {
                throw new IllegalArgumentException("expected ',' or '}' at " + (at[0] - 1) + " in " + json);
            }
        }
    }

    private static double parseNumber(String token) {
        try {
            return Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + token, e);
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static String readString(String json, int[] at) {
        expect(json, at, '"');
        StringBuilder s = new StringBuilder();
        while (at[0] < json.length()) {
            char c = json.charAt(at[0]++);
            if (c == '"') {
                return s.toString();
            }
            if (c == '\\' && at[0] < json.length()) {
                char e = json.charAt(at[0]++);
                if (e == 'u' && at[0] + 4 <= json.length()) {
                    s.append((char) Integer.parseInt(json.substring(at[0], at[0] + 4), 16));
                    at[0] += 4;
                } else {
                    s.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
                }
            } else {
                s.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated string in " + json);
    }

    private static void expect(String json, int[] at, char c) {
        if (peek(json, at) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + at[0] + " in " + json);
        }
        at[0]++;
    }

    private static char peek(String json, int[] at) {
        at[0] = skip(json, at[0]);
        if (at[0] >= json.length()) {
            throw new IllegalArgumentException("unexpected end of " + json);
        }
        return json.charAt(at[0]);
    }

    private static int skip(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i;
    }
}
