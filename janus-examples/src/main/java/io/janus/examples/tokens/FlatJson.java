package io.janus.examples.tokens;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the one JSON shape the token endpoint accepts, an object whose values are all strings
 * (RFC 8259, sections 4 and 7), and writes flat objects. Bounded: at most {@value #MAX_FIELDS} fields;
 * the caller bounds the text length. Not a general JSON library; the example avoids a dependency.
 */
final class FlatJson {

    static final int MAX_FIELDS = 16;

    private final String text;
    private int pos;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * Parses an object of string values.
     *
     * @throws IllegalArgumentException saying what was wrong and where
     */
    static Map<String, String> parseObject(String text) {
        FlatJson p = new FlatJson(text);
        Map<String, String> fields = new LinkedHashMap<>();
        p.skipSpace();
        p.expect('{');
        p.skipSpace();
        if (p.peek() == '}') {
            p.pos++;
        } else {
            while (true) {
                p.skipSpace();
                String name = p.string();
                p.skipSpace();
                p.expect(':');
                p.skipSpace();
                if (p.peek() != '"') {
                    throw new IllegalArgumentException("field " + name + ": expected a string value");
                }
                String value = p.string();
                if (fields.put(name, value) != null) {
                    throw new IllegalArgumentException("field " + name + ": repeated");
                }
                if (fields.size() > MAX_FIELDS) {
                    throw new IllegalArgumentException("more than " + MAX_FIELDS + " fields");
                }
                p.skipSpace();
                char c = p.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("at " + (p.pos - 1) + ": expected ',' or '}'");
                }
            }
        }
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new IllegalArgumentException("at " + p.pos + ": text after the object");
        }
        return fields;
    }

    private char peek() {
        if (pos >= text.length()) {
            throw new IllegalArgumentException("unexpected end of input");
        }
        return text.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw new IllegalArgumentException("at " + (pos - 1) + ": expected '" + c + "'");
        }
    }

    private void skipSpace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("at " + (pos - 1) + ": control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    sb.append(e);
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'u':
                    if (pos + 4 > text.length()) {
                        throw new IllegalArgumentException("unexpected end of input in \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("at " + pos + ": bad \\u escape");
                    }
                    pos += 4;
                    break;
                default:
                    throw new IllegalArgumentException("at " + (pos - 1) + ": bad escape");
            }
        }
    }

    /** Writes a flat object; values are strings or numbers (Long, Integer). */
    static String write(Map<String, Object> fields) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.getKey());
            sb.append(':');
            if (e.getValue() instanceof Number) {
                sb.append(e.getValue());
            } else {
                quote(sb, String.valueOf(e.getValue()));
            }
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
