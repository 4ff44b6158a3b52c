package io.janus.examples.config;

import io.janus.core.auth.TokenIssuer;
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
import java.util.Map;

/**
 * Fresh secrets for a test (a root key, a gateway identity it certifies, a token key) and helpers that
 * write them into configuration directories or environment overrides.
 */
public final class TestSecrets {

    private final SigningKey root = SigningKey.generate();
    private final GatewayIdentity identity = GatewayIdentity.generate(root, "test-gw", Duration.ofDays(1));
    private final byte[] tokenKey = TokenKeys.generateKey();

    /** The root public key clients pin. */
    public byte[] rootPublicKey() {
        return root.publicKey();
    }

    /** Issues sealed tokens the gateway accepts. */
    public TokenIssuer tokenIssuer() {
        return new TokenIssuer(TokenKeys.of("k1", tokenKey));
    }

    /** The gateway key seed, base64. */
    public String keySeed() {
        return Base64.getEncoder().encodeToString(identity.key().seed());
    }

    /** The certificate, base64. */
    public String certificate() {
        return identity.certificate().toBase64();
    }

    /** The token keys in secret.yaml's format. */
    public String tokenKeys() {
        return "k1:" + Base64.getEncoder().encodeToString(tokenKey);
    }

    /** A secret.yaml with these secrets, an admin token and {@code extra} lines appended. */
    public String secretYaml(String extra) {
        return "gateway:\n  keySeed: " + keySeed() + "\n  certificate: " + certificate() + "\n"
                + "tokenKeys: \"" + tokenKeys() + "\"\nadminToken: test-admin-token\n" + extra;
    }

    /** The environment overrides that fill secret.yaml's secrets. */
    public Map<String, String> secretEnvironment() {
        return Map.of("JANUS_SECRET_GATEWAY_KEYSEED", keySeed(), "JANUS_SECRET_GATEWAY_CERTIFICATE", certificate(),
                "JANUS_SECRET_TOKENKEYS", tokenKeys(), "JANUS_SECRET_ADMINTOKEN", "test-admin-token");
    }

    /** Writes files into a directory; a null content is not written. */
    public static Path write(Path dir, String config, String secret, String registry) {
        try {
            Files.writeString(dir.resolve("config.yaml"), config, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("secret.yaml"), secret, StandardCharsets.UTF_8);
            if (registry != null) {
                Files.writeString(dir.resolve("registry.yaml"), registry, StandardCharsets.UTF_8);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
