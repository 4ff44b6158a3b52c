package io.janus.examples.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.Gateway;
import io.janus.core.config.ConfigException;
import io.janus.core.config.ConfigKeys;
import io.janus.core.config.JanusConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps the templates in configs.tmpl and docs/configuration.md from rotting: the templates load and
 * start a gateway once their secrets are filled, they hold every key the loader knows, each with a
 * comment, and the documentation names every key.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TemplatesTest {

    /** The templates, relative to the module directory that Maven runs tests in. */
    private static final Path TEMPLATES = Path.of("configs.tmpl");
    private static final Path DOCS = Path.of("..", "docs", "configuration.md");

    @TempDir
    Path dir;

    private Path copyTemplates() throws IOException {
        for (String file : List.of(ConfigKeys.CONFIG_FILE, ConfigKeys.SECRET_FILE, ConfigKeys.REGISTRY_FILE)) {
            Files.copy(TEMPLATES.resolve(file), dir.resolve(file));
        }
        return dir;
    }

    @Test
    void templatesStartAGatewayOnceTheirSecretsAreFilledFromTheEnvironment() throws IOException {
        TestSecrets secrets = new TestSecrets();
        Map<String, String> env = new HashMap<>(secrets.secretEnvironment());
        // Loopback and free ports, so the test binds nothing public and never collides.
        env.put("JANUS_TRANSPORTS_0_HOST", "127.0.0.1");
        env.put("JANUS_TRANSPORTS_0_PORT", "0");
        env.put("JANUS_ADMIN_PORT", "0");
        env.put("JANUS_PUSH_PORT", "0");

        JanusConfig config = JanusConfig.load(copyTemplates(), env);
        try (Gateway gateway = config.newGatewayBuilder(null).build()) {
            gateway.start().orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(gateway.id()).isEqualTo("gw-1");
            assertThat(gateway.address("tcp").getPort()).isPositive();
            assertThat(gateway.adminAddress().getAddress().isLoopbackAddress()).isTrue();
        }
    }

    @Test
    void templatesWithoutSecretsStopTheStartNamingEachSecret() throws IOException {
        Path templates = copyTemplates();

        assertThatThrownBy(() -> JanusConfig.load(templates, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("secret.yaml: gateway.keySeed: "))
                        .anySatisfy(p -> assertThat(p).startsWith("secret.yaml: gateway.certificate: "))
                        .anySatisfy(p -> assertThat(p).startsWith("secret.yaml: tokenKeys: ")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.yaml", "secret.yaml", "registry.yaml"})
    void everyKeyTheLoaderKnowsIsInTheTemplate(String file) throws IOException {
        Object document = new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(TEMPLATES.resolve(file), StandardCharsets.UTF_8));
        Set<String> paths = new LinkedHashSet<>();
        collect("", document, paths);

        assertThat(paths).containsAll(ConfigKeys.keys(file));
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.yaml", "secret.yaml", "registry.yaml"})
    void everyKeyOfTheTemplateHasACommentAboveIt(String file) throws IOException {
        List<String> lines = Files.readAllLines(TEMPLATES.resolve(file), StandardCharsets.UTF_8);
        String previous = "";
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (line.matches("\\s*(- )?[A-Za-z][A-Za-z0-9_]*:.*")) {
                assertThat(previous.trim()).as("%s: the line above '%s'", file, line.trim()).startsWith("#");
            }
            previous = line;
        }
    }

    @Test
    void theDocumentationNamesEveryKeyAndItsVariableScheme() throws IOException {
        String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
        for (String file : List.of(ConfigKeys.CONFIG_FILE, ConfigKeys.SECRET_FILE, ConfigKeys.REGISTRY_FILE)) {
            for (String key : ConfigKeys.keys(file)) {
                assertThat(docs).as("docs/configuration.md names %s %s", file, key).contains("`" + key + "`");
            }
        }
        assertThat(docs).contains("JANUS_SECRET_ADMINTOKEN", "JANUS_TRANSPORTS_0_PORT", "JANUS_SESSION_IDLETIMEOUT");
    }

    private static void collect(String path, Object node, Set<String> paths) {
        if (!path.isEmpty()) {
            paths.add(path);
        }
        if (node instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
                collect(path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey(), e.getValue(), paths);
            }
        } else if (node instanceof List) {
            for (Object item : (List<?>) node) {
                collect(path + "[]", item, paths);
            }
        }
    }
}
