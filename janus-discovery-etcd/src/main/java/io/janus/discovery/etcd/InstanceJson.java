package io.janus.discovery.etcd;

import io.janus.core.spi.ServiceInstance;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The value stored under an instance's key: a JSON object (RFC 8259) in UTF-8,
 * <pre>{@code {"service":"room","id":"room-1","address":"10.0.0.5:9000","metadata":{"color":"blue"}}}</pre>
 *
 * <p>Values come from a shared store that anything with write access can change, so decoding is strict
 * and bounded: at most {@value #MAX_VALUE_BYTES} bytes, {@value #MAX_METADATA_ENTRIES} metadata entries,
 * only the four members above (unknown members are skipped when their value is a string, so that later
 * versions can add some), strings only. Anything else is rejected with a message saying what was found
 * and what was expected.
 */
final class InstanceJson {

    /** The largest value accepted, in bytes. */
    static final int MAX_VALUE_BYTES = 16 * 1024;
    /** The most metadata entries accepted. */
    static final int MAX_METADATA_ENTRIES = 64;

    private InstanceJson() {
    }

    /** Encodes an instance. */
    static byte[] encode(ServiceInstance instance) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("{\"service\":");
        string(sb, instance.service());
        sb.append(",\"id\":");
        string(sb, instance.id());
        sb.append(",\"address\":");
        string(sb, instance.address());
        sb.append(",\"metadata\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(instance.metadata()).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            string(sb, e.getValue());
        }
        sb.append("}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /**
     * Decodes a value.
     *
     * @throws IllegalArgumentException saying what is wrong, when the value is not a well-formed instance
     */
    static ServiceInstance decode(byte[] value) {
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds " + MAX_VALUE_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("value is not UTF-8");
        }
        Parser p = new Parser(text);
        String service = null;
        String id = null;
        String address = null;
        Map<String, String> metadata = Map.of();
        p.expect('{');
        if (!p.consume('}')) {
            do {
                String name = p.string();
                p.expect(':');
                switch (name) {
                    case "metadata":
                        metadata = p.flatObject();
                        break;
                    case "service":
                        service = p.string();
                        break;
                    case "id":
                        id = p.string();
                        break;
                    case "address":
                        address = p.string();
                        break;
                    default:
                        p.string();
                }
            } while (p.consume(','));
            p.expect('}');
        }
        p.end();
        if (service == null || id == null || address == null) {
            throw new IllegalArgumentException("value lacks one of service, id, address (expected: all three)");
        }
        try {
            return ServiceInstance.of(service, id, address, metadata);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("value is not a valid instance: " + e.getMessage());
        }
    }

    /** A recursive-descent reader of the small JSON subset above. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        private void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    break;
                }
                pos++;
            }
        }

        boolean consume(char c) {
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw error("'" + c + "'");
            }
        }

        void end() {
            skipWhitespace();
            if (pos != s.length()) {
                throw error("end of value");
            }
        }

        private IllegalArgumentException error(String expected) {
            String found = pos < s.length() ? "'" + s.charAt(pos) + "'" : "end of value";
            return new IllegalArgumentException("malformed JSON at offset " + pos + ": found " + found
                    + " (expected: " + expected + ")");
        }

        Map<String, String> flatObject() {
            Map<String, String> map = new LinkedHashMap<>();
            expect('{');
            if (consume('}')) {
                return map;
            }
            do {
                String key = string();
                expect(':');
                String value = string();
                if (map.put(key, value) != null) {
                    throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
                }
                if (map.size() > MAX_METADATA_ENTRIES) {
                    throw new IllegalArgumentException("more than " + MAX_METADATA_ENTRIES + " metadata entries");
                }
            } while (consume(','));
            expect('}');
            return map;
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("closing '\"'");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("no control character inside a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("an escape");
                }
                char e = s.charAt(pos++);
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
                        if (pos + 4 > s.length()) {
                            throw error("four hex digits");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("four hex digits");
                        }
                        pos += 4;
                        break;
                    default:
                        pos--;
                        throw error("a valid escape");
                }
            }
        }
    }
}
