package io.janus.core.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads one YAML file into maps, lists and scalars with snakeyaml-engine, safely: the YAML 1.2 core
 * schema (YAML 1.2.2, section 10.3) resolves only null, booleans, integers, floats and strings, so no
 * tag can construct an arbitrary Java type; the document is at most {@value #MAX_BYTES} bytes, holds at
 * most {@value #MAX_ALIASES} aliases (no "billion laughs"), and a repeated key is an error (section
 * 3.2.1.1 requires keys to be unique). Environment substitution ({@code ${VAR}}) is off: overrides go
 * through {@link Environment} only.
 */
final class YamlFile {

    /** The largest file accepted. A gateway's configuration is a few kilobytes. */
    static final int MAX_BYTES = 1024 * 1024;

    /** The most aliases a document may use. */
    static final int MAX_ALIASES = 20;

    private YamlFile() {
    }

    /**
     * Loads a file's top-level map.
     *
     * @return the map; empty when the file is empty; null when it is missing and optional, or broken
     *         (then a problem is recorded)
     */
    static Map<String, Object> load(Path directory, String file, boolean required, Problems problems) {
        Path path = directory.resolve(file);
        byte[] bytes;
        try {
            if (Files.size(path) > MAX_BYTES) {
                problems.add(file, "", "larger than " + MAX_BYTES + " bytes (expected: a configuration file)");
                return null;
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            if (required) {
                problems.add(file, "", "missing from " + directory.toAbsolutePath().normalize());
            }
            return null;
        } catch (IOException e) {
            problems.add(file, "", "cannot be read: " + e.getClass().getSimpleName());
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            problems.add(file, "", "not UTF-8 text");
            return null;
        }
        return parse(text, file, problems);
    }

    /** Parses a document's top-level map; see {@link #load}. */
    static Map<String, Object> parse(String text, String file, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(MAX_BYTES)
                .setDefaultMap(LinkedHashMap::new)
                .build();
        Object document;
        try {
            document = new Load(settings).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            // Only the problem and its position: the engine's full message quotes the source line,
            // which in secret.yaml holds a secret.
            Mark mark = e.getProblemMark().orElse(null);
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            problems.add(file, "", "not valid YAML: " + where + e.getProblem());
            return null;
        } catch (YamlEngineException e) {
            problems.add(file, "", "not valid YAML: " + firstLine(e.getMessage()));
            return null;
        }
        if (document == null) {
            return new LinkedHashMap<>();
        }
        if (!(document instanceof Map)) {
            problems.add(file, "", "expected a map of keys at the top level, got a " + Node.typeName(document));
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) document;
        return map;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
