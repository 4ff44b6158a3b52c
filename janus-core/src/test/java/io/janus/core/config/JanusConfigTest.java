package io.janus.core.config;

import static io.janus.core.config.ConfigDir.ADMIN_TOKEN;
import static io.janus.core.config.ConfigDir.CERTIFICATE;
import static io.janus.core.config.ConfigDir.CONFIG_YAML;
import static io.janus.core.config.ConfigDir.KEY_SEED;
import static io.janus.core.config.ConfigDir.SECRET_YAML;
import static io.janus.core.config.ConfigDir.TOKEN_KEY;
import static io.janus.core.config.ConfigDir.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.SessionOptions;
import io.janus.core.session.DuplicateLoginPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, validating and overriding configuration directories written to a temporary folder. */
class JanusConfigTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void transport() {
        ConfigTestTransportProvider.register();
    }

    @AfterAll
    static void noTransport() {
        ConfigTestTransportProvider.deregister();
    }

    private List<String> problems(String config, String secret, String registry, Map<String, String> env) {
        write(dir, config, secret, registry);
        Throwable thrown = null;
        try {
            JanusConfig.load(dir, env);
        } catch (ConfigException e) {
            thrown = e;
            assertThat(e.getMessage()).contains(e.problems().get(0));
            return e.problems();
        }
        throw new AssertionError("expected a ConfigException, got " + thrown);
    }

    @Test
    void minimalConfigurationLoadsWithDefaults() {
        JanusConfig config = JanusConfig.load(write(dir, CONFIG_YAML, SECRET_YAML, null), Map.of());

        assertThat(config.transportProviders()).containsExactly("config-test");
        assertThat(config.sessionOptions()).usingRecursiveComparison().isEqualTo(SessionOptions.defaults());
        assertThat(config.hasAdmin()).isFalse();
        assertThat(config.gameHandlersClass()).isNull();
        assertThat(config.toString()).contains("config-test").doesNotContain(KEY_SEED).doesNotContain(TOKEN_KEY)
                .doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void everySessionOptionIsRead() {
        String config = CONFIG_YAML + "session:\n"
                + "  maxFrameLength: 4096\n  loginTimeout: 5s\n  idleTimeout: 2m\n  heartbeatInterval: 20s\n"
                + "  requestTimeout: 1500ms\n  maxPendingRequests: 8\n  outboundLowWaterMark: 1000\n"
                + "  outboundHighWaterMark: 2000\n  maxOutboundBytes: 3000\n  maxConnections: 50\n"
                + "  maxConnectionsPerIp: 5\n  duplicateLoginPolicy: reject_new\n  compressionThreshold: 0\n"
                + "  maxInflatedBytes: 65536\n  recordsPerKey: 1000\n  handshakesPerSecondPerIp: 2.5\n"
                + "  handshakeBurstPerIp: 3\n  handshakesPerSecond: 100\n  requestsPerSecond: 10\n"
                + "  requestBurst: 12\n  requestRatePolicy: disconnect\n  resumeWindow: 45s\n"
                + "  replayBufferPackets: 256\n  replayBufferBytes: 65536\n  replayMaxAge: 90s\n";
        SessionOptions o = JanusConfig.load(write(dir, config, SECRET_YAML, null), Map.of()).sessionOptions();

        SessionOptions expected = SessionOptions.builder().maxFrameLength(4096).loginTimeout(Duration.ofSeconds(5))
                .idleTimeout(Duration.ofMinutes(2)).heartbeatInterval(Duration.ofSeconds(20))
                .requestTimeout(Duration.ofMillis(1500)).maxPendingRequests(8).outboundWaterMarks(1000, 2000)
                .maxOutboundBytes(3000).maxConnections(50).maxConnectionsPerIp(5)
                .duplicateLoginPolicy(DuplicateLoginPolicy.valueOf("REJECT_NEW")).compressionThreshold(0)
                .maxInflatedBytes(65536).recordsPerKey(1000).handshakeRatePerIp(2.5, 3).handshakeRate(100)
                .requestRate(10, 12, SessionOptions.RateLimitPolicy.DISCONNECT).resumeWindow(Duration.ofSeconds(45))
                .replayBuffer(256, 65536).replayMaxAge(Duration.ofSeconds(90)).build();
        assertThat(o).usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void aZeroResumeWindowTurnsResumeOffAndATooShortReplayAgeIsAProblem() {
        SessionOptions off = JanusConfig.load(write(dir, CONFIG_YAML + "session:\n  resumeWindow: 0s\n", SECRET_YAML,
                null), Map.of()).sessionOptions();
        assertThat(off.resumeWindow()).isZero();
        assertThatThrownBy(() -> JanusConfig.load(write(dir, CONFIG_YAML + "session:\n  replayMaxAge: 500ms\n",
                SECRET_YAML, null), Map.of())).hasMessageContaining("replayMaxAge");
    }

    @Test
    void everyProblemIsListedWithItsFileAndKeyPath() {
        String config = "transports:\n  - provider: quic\n    port: 70000\n"
                + "sesion:\n  idleTimeout: 10s\n"
                + "session:\n  idleTimeout: abc\n  maxConnections: many\n"
                + "router:\n  provider: nowhere\n"
                + "directory:\n  provider: elsewhere\n";
        String secret = "tokenKeys: \"k1:" + TOKEN_KEY + "\"\n";

        List<String> problems = problems(config, secret, null, Map.of());

        assertThat(problems).contains(
                "config.yaml: session.idleTimeout: expected a duration like 30s (a positive integer and ms, s, m, h or d), got \"abc\"",
                "config.yaml: session.maxConnections: expected an integer from 1 to 2147483647, got \"many\"",
                "config.yaml: transports[0].port: expected an integer from 0 to 65535, got 70000",
                "secret.yaml: gateway.keySeed: missing (expected: the gateway's Ed25519 key seed, 32 bytes in standard base64)");
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("config.yaml: sesion: unknown key (expected one of: ")
                .contains("session"));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith("config.yaml: transports[0].provider: no transport provider named 'quic' on the class path (available: [")
                .contains("config-test"));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith("config.yaml: router.provider: no router provider named 'nowhere' on the class path (available: [")
                .contains("memory"));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith("config.yaml: directory.provider: no directory provider named 'elsewhere' on the class path")
                .contains("local"));
    }

    @Test
    void theResumeTicketKeyIsA32ByteKeyAndIsNeverQuoted() {
        String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[16]);
        List<String> problems = problems(CONFIG_YAML, SECRET_YAML + "resumeTicketKey: \"" + shortKey + "\"\n", null,
                Map.of());
        assertThat(problems).containsExactly(
                "secret.yaml: resumeTicketKey: expected an AES-256 key: 32 bytes in standard base64");
        assertThat(String.join("\n", problems)).doesNotContain(shortKey);

        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        JanusConfig.load(write(dir, CONFIG_YAML, SECRET_YAML + "resumeTicketKey: \"" + key + "\"\n", null), Map.of());
        JanusConfig.load(write(dir, CONFIG_YAML, SECRET_YAML + "resumeTicketKey: \"\"\n", null), Map.of());
    }

    @Test
    void missingFilesAreNamed() {
        assertThat(problems(null, null, null, Map.of()))
                .anySatisfy(p -> assertThat(p).startsWith("config.yaml: missing from "))
                .anySatisfy(p -> assertThat(p).startsWith("secret.yaml: missing from "));
    }

    @Test
    void malformedSecretsAreNeverQuoted() {
        String shortSeed = "c2VjcmV0LXNlZWQtdGhhdC1pcy10b28tc2hvcnQ=";
        String badTokenKey = "k1:NOT+A+VALID+KEY+BUT+SECRET";
        String badAdminToken = "has spaces secret-admin";
        String secret = "gateway:\n  keySeed: " + shortSeed + "\n  certificate: " + CERTIFICATE
                + "\ntokenKeys: \"" + badTokenKey + "\"\nadminToken: \"" + badAdminToken + "\"\n"
                + "clientAttestationKeys: [\"secret-app-key\"]\n";
        String config = CONFIG_YAML + "admin:\n  port: 0\n";

        write(dir, config, secret, null);
        assertThatThrownBy(() -> JanusConfig.load(dir, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).contains(
                            "secret.yaml: gateway.keySeed: expected 32 bytes in standard base64, got 29 bytes");
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("secret.yaml: tokenKeys: "));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("secret.yaml: adminToken: "));
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                            .startsWith("secret.yaml: clientAttestationKeys[0]: "));
                    assertThat(e.getMessage()).doesNotContain(shortSeed).doesNotContain("NOT+A+VALID")
                            .doesNotContain("secret-admin").doesNotContain("secret-app-key");
                });
    }

    @Test
    void aSyntaxErrorInSecretYamlDoesNotQuoteTheLine() {
        String secret = "gateway:\n  keySeed: " + KEY_SEED + "\n  certificate: [" + CERTIFICATE + "\n";

        List<String> problems = problems(CONFIG_YAML, secret, null, Map.of());

        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("secret.yaml: not valid YAML: line "));
        assertThat(String.join("\n", problems)).doesNotContain(KEY_SEED).doesNotContain(CERTIFICATE);
    }

    @Test
    void aCertificateForAnotherKeyIsRefused() {
        String otherSeed = java.util.Base64.getEncoder().encodeToString(
                io.janus.core.crypto.SigningKey.generate().seed());
        String secret = SECRET_YAML.replace(KEY_SEED, otherSeed);

        assertThat(problems(CONFIG_YAML, secret, null, Map.of())).containsExactly(
                "secret.yaml: gateway.certificate: certificate 'test-gw' is for another key than gateway.keySeed "
                        + "(expected: the certificate issued for this key)");
    }

    @Test
    void environmentOverridesAreTypedLikeTheKeysTheyReplace() {
        String config = CONFIG_YAML + "admin:\n  port: 9000\nsession:\n  idleTimeout: 30s\n";
        String secret = SECRET_YAML.replace("adminToken: " + ADMIN_TOKEN + "\n", "");
        Map<String, String> env = Map.of(
                "JANUS_ADMIN_PORT", "0",
                "JANUS_SESSION_IDLETIMEOUT", "45s",
                "JANUS_SESSION_MAXCONNECTIONS", "77",
                "JANUS_SECRET_ADMINTOKEN", "from-the-environment",
                "JANUS_TRANSPORTS_0_HOST", "127.0.0.2",
                "PATH", "/usr/bin");

        JanusConfig config1 = JanusConfig.load(write(dir, config, secret, null), env);

        assertThat(config1.sessionOptions().idleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config1.sessionOptions().maxConnections()).isEqualTo(77);
        assertThat(config1.hasAdmin()).isTrue();
        assertThat(config1.toString()).contains("127.0.0.2").contains("admin=/127.0.0.1:0")
                .doesNotContain("from-the-environment");
    }

    @Test
    void aBadOverrideNamesTheVariableAndTheKey() {
        List<String> problems = problems(CONFIG_YAML, SECRET_YAML, null,
                Map.of("JANUS_SESSION_IDLETIMEOUT", "abc", "JANUS_SESION_IDLETIMEOUT", "10s"));

        assertThat(problems).containsExactlyInAnyOrder(
                "config.yaml: session.idleTimeout (from JANUS_SESSION_IDLETIMEOUT): expected a duration like 30s "
                        + "(a positive integer and ms, s, m, h or d), got \"abc\"",
                "environment: JANUS_SESION_IDLETIMEOUT: matches no key of config.yaml, secret.yaml or registry.yaml "
                        + "(expected: a name built as docs/configuration.md, section \"Environment overrides\", says)");
    }

    @Test
    void propertiesAreOverriddenOnlyWhereTheFileHasThem() {
        String config = CONFIG_YAML.replace("    port: 0\n", "    port: 0\n    properties:\n      soBacklog: 128\n");

        write(dir, config, SECRET_YAML, null);
        JanusConfig.load(dir, Map.of("JANUS_TRANSPORTS_0_PROPERTIES_SOBACKLOG", "256"));
        assertThat(problems(config, SECRET_YAML, null, Map.of("JANUS_TRANSPORTS_0_PROPERTIES_NODELAY", "true")))
                .containsExactly("environment: JANUS_TRANSPORTS_0_PROPERTIES_NODELAY: config.yaml has no property "
                        + "transports[0].properties.<NODELAY> to override (expected: the property in the file, with any value)");
    }

    @Test
    void duplicateKeysAliasBombsAndTagsAreRefused() {
        assertThat(problems(CONFIG_YAML + "drainTimeout: 5s\ndrainTimeout: 6s\n", SECRET_YAML, null, Map.of()))
                .singleElement().satisfies(p -> assertThat(p).startsWith("config.yaml: not valid YAML: ")
                        .contains("duplicate key drainTimeout"));

        StringBuilder bomb = new StringBuilder(CONFIG_YAML).append("a0: &a0 [x, x]\n");
        for (int i = 1; i < 30; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append("]\n");
        }
        assertThat(problems(bomb.toString(), SECRET_YAML, null, Map.of()))
                .singleElement().satisfies(p -> assertThat(p).startsWith("config.yaml: not valid YAML: "));

        assertThat(problems(CONFIG_YAML + "id: !!java.lang.ProcessBuilder [\"true\"]\n", SECRET_YAML, null, Map.of()))
                .singleElement().satisfies(p -> assertThat(p).startsWith("config.yaml: not valid YAML: "));
    }

    @Test
    void anOversizedFileIsRefusedBeforeParsing() {
        String big = CONFIG_YAML + "# " + "x".repeat(YamlFile.MAX_BYTES) + "\n";

        assertThat(problems(big, SECRET_YAML, null, Map.of()))
                .containsExactly("config.yaml: larger than 1048576 bytes (expected: a configuration file)");
    }

    @Test
    void sealedAuthenticatorNeedsTokenKeysFromSecretYaml() {
        String secret = SECRET_YAML.replaceAll("tokenKeys: .*\n", "");

        assertThat(problems(CONFIG_YAML, secret, null, Map.of())).containsExactly(
                "secret.yaml: tokenKeys: missing (required by the 'sealed' authenticator; expected: id:BASE64KEY "
                        + "entries separated by ',')");
        assertThat(problems(CONFIG_YAML + "authenticator:\n  provider: sealed\n  properties:\n    keys: x\n",
                SECRET_YAML, null, Map.of())).containsExactly("config.yaml: authenticator.properties.keys: token keys "
                        + "are secrets (expected: tokenKeys in secret.yaml)");
    }

    @Test
    void routesMapModulesToServicesByPlayerOrObject() {
        String routes = CONFIG_YAML + "routes:\n  defaultService: player\n  modules:\n"
                + "    - module: 6\n      service: room\n      key: object\n"
                + "    - module: 7\n      service: chat\n";

        JanusConfig config = JanusConfig.load(write(dir, routes, SECRET_YAML, null), Map.of());

        assertThat(config.routes().find(6).service()).isEqualTo("room");
        assertThat(config.routes().find(6).key()).isEqualTo(io.janus.core.routing.ModuleRoutes.Key.OBJECT);
        assertThat(config.routes().find(7).key()).isEqualTo(io.janus.core.routing.ModuleRoutes.Key.PLAYER);
        assertThat(config.routes().find(1).service()).isEqualTo("player");
        assertThat(problems(routes.replace("module: 7", "module: 6").replace("key: object", "key: room"),
                SECRET_YAML, null, Map.of())).anySatisfy(p -> assertThat(p)
                        .startsWith("config.yaml: routes.modules[1].module: module 6 is routed twice"))
                .anySatisfy(p -> assertThat(p).startsWith("config.yaml: routes.modules[0].key:"));
    }

    @Test
    void registryYamlListsStaticInstancesWithMetadata() {
        String registry = "discovery:\n  provider: static\ninstances:\n"
                + "  - service: room\n    id: room-1\n    address: 10.0.0.5:9000\n    metadata:\n      zone: 1\n"
                + "  - service: room\n    address: 10.0.0.6:9000\n";

        assertThat(problems(CONFIG_YAML, SECRET_YAML, registry, Map.of())).containsExactly(
                "registry.yaml: instances[1].id: missing (expected: a non-empty string)");

        write(dir, CONFIG_YAML, SECRET_YAML, registry.replace("    address: 10.0.0.6", "    id: room-2\n    address: 10.0.0.6"));
        assertThat(JanusConfig.load(dir, Map.of()).toString()).contains("discovery=static");
        assertThat(problems(CONFIG_YAML, SECRET_YAML, "discovery:\n  provider: etcd\n", Map.of()))
                .singleElement().satisfies(p -> assertThat(p).startsWith(
                        "registry.yaml: discovery.provider: no discovery provider named 'etcd' on the class path"));
    }

    @Test
    void gameHandlersMustBeASupplierOnTheClassPath() {
        assertThat(problems(CONFIG_YAML + "game:\n  handlers: com.example.Missing\n  services:\n    chat: java.lang.String\n",
                SECRET_YAML, null, Map.of())).containsExactly(
                        "config.yaml: game.handlers: class com.example.Missing is not on the class path (expected: a class "
                                + "implementing Supplier<GameHandlers> with a public no-argument constructor)",
                        "config.yaml: game.services.chat: class java.lang.String is not a public class implementing "
                                + "Supplier<GameHandlers> with a public no-argument constructor");
    }

    @Test
    void envNamesFollowTheDocumentedScheme() {
        assertThat(ConfigKeys.envName("config.yaml", "admin.port")).isEqualTo("JANUS_ADMIN_PORT");
        assertThat(ConfigKeys.envName("config.yaml", "transports[0].port")).isEqualTo("JANUS_TRANSPORTS_0_PORT");
        assertThat(ConfigKeys.envName("secret.yaml", "adminToken")).isEqualTo("JANUS_SECRET_ADMINTOKEN");
        assertThat(ConfigKeys.envName("registry.yaml", "discovery.provider")).isEqualTo("JANUS_REGISTRY_DISCOVERY_PROVIDER");
    }

    @Test
    void secretsAndWholeSectionsMayComeFromTheEnvironmentAlone() {
        JanusConfig config = JanusConfig.load(write(dir, CONFIG_YAML, "gateway: {}\n", null), Map.of(
                "JANUS_SECRET_GATEWAY_KEYSEED", KEY_SEED,
                "JANUS_SECRET_GATEWAY_CERTIFICATE", CERTIFICATE,
                "JANUS_SECRET_TOKENKEYS", ConfigDir.TOKEN_KEYS,
                "JANUS_SECRET_ADMINTOKEN", ADMIN_TOKEN,
                "JANUS_ADMIN_PORT", "9100"));

        assertThat(config.hasAdmin()).as("JANUS_ADMIN_PORT alone turns the admin endpoint on").isTrue();
        assertThat(config.toString()).contains("admin=/127.0.0.1:9100");
    }

    @Test
    void nestedUnknownKeysAndSectionsOfTheWrongShapeAreNamed() {
        String config = CONFIG_YAML.replace("    port: 0\n", "    port: 0\n    prot: 1\n")
                + "session: 5\nadmin:\n  hots: 127.0.0.1\n";

        assertThat(problems(config, SECRET_YAML, "instances: {}\n", Map.of())).containsExactlyInAnyOrder(
                "config.yaml: transports[0].prot: unknown key (expected one of: provider, host, port, properties)",
                "config.yaml: session: expected a map of keys, got 5",
                "config.yaml: admin.hots: unknown key (expected one of: host, port)",
                "registry.yaml: instances: expected a list, got a map");
    }

    @Test
    void aSecretOfTheWrongTypeIsDescribedByItsTypeOnly() {
        String secret = SECRET_YAML.replace("adminToken: " + ADMIN_TOKEN, "adminToken: 8675309");

        assertThat(problems(CONFIG_YAML, secret, null, Map.of())).containsExactly(
                "secret.yaml: adminToken: expected a string, got a value of type integer");
    }

    @Test
    void problemsAreBoundedAndCounted() {
        StringBuilder config = new StringBuilder(CONFIG_YAML);
        for (int i = 0; i < 150; i++) {
            config.append("unknown").append(i).append(": 1\n");
        }

        List<String> problems = problems(config.toString(), SECRET_YAML, null, Map.of());

        assertThat(problems).hasSize(Problems.MAX + 1);
        assertThat(problems.get(Problems.MAX)).isEqualTo("... and 50 more problems");
    }
}
