package io.janus.core.config;

import io.janus.core.auth.TokenKeys;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/** Writes configuration directories for tests, with real, freshly generated secrets. */
final class ConfigDir {

    static final SigningKey ROOT = SigningKey.generate();
    static final GatewayIdentity IDENTITY = GatewayIdentity.generate(ROOT, "test-gw", Duration.ofDays(1));
    static final String KEY_SEED = Base64.getEncoder().encodeToString(IDENTITY.key().seed());
    static final String CERTIFICATE = IDENTITY.certificate().toBase64();
    static final String TOKEN_KEY = Base64.getEncoder().encodeToString(TokenKeys.generateKey());
    static final String TOKEN_KEYS = "k1:" + TOKEN_KEY;
    static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";

    static final String SECRET_YAML = "gateway:\n  keySeed: " + KEY_SEED + "\n  certificate: " + CERTIFICATE
            + "\ntokenKeys: \"" + TOKEN_KEYS + "\"\nadminToken: " + ADMIN_TOKEN + "\n";

    static final String CONFIG_YAML = "transports:\n  - provider: config-test\n    host: 127.0.0.1\n    port: 0\n";

    private ConfigDir() {
    }

    static Path write(Path dir, String config, String secret, String registry) {
        try {
            if (config != null) {
                Files.writeString(dir.resolve(ConfigKeys.CONFIG_FILE), config, StandardCharsets.UTF_8);
            }
            if (secret != null) {
                Files.writeString(dir.resolve(ConfigKeys.SECRET_FILE), secret, StandardCharsets.UTF_8);
            }
            if (registry != null) {
                Files.writeString(dir.resolve(ConfigKeys.REGISTRY_FILE), registry, StandardCharsets.UTF_8);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
