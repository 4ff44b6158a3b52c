package io.janus.bench.load;

import static java.util.Objects.requireNonNull;

import io.janus.core.auth.SealedTokenAuthenticator;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.auth.TokenKeys;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import java.time.Duration;
import java.util.Base64;

/**
 * The keys of one benchmark run: a root key the generator pins, a gateway identity it certifies, and a
 * token key shared by the gateway and the generator, which issues one token per connection. The gateway
 * process makes them and prints the public root key and the token key on its ready line; the generator
 * takes them with {@code --root-key} and {@code --token-key}. Benchmark keys only: fresh each run.
 */
public final class BenchSecrets {

    /** The token key id the benchmark uses. */
    public static final String TOKEN_KEY_ID = "bench-1";

    private final SigningKey root;
    private final GatewayIdentity gateway;
    private final byte[] tokenKey;

    private BenchSecrets(SigningKey root, byte[] tokenKey) {
        this.root = root;
        this.gateway = GatewayIdentity.generate(root, "bench-gateway", Duration.ofDays(1));
        this.tokenKey = tokenKey;
    }

    /**
     * Makes fresh keys.
     *
     * @return the secrets
     */
    public static BenchSecrets generate() {
        return new BenchSecrets(SigningKey.generate(), TokenKeys.generateKey());
    }

    /** The root public key, base64, for {@code --root-key}. */
    public String rootKeyBase64() {
        return Base64.getEncoder().encodeToString(root.publicKey());
    }

    /** The token key, base64, for {@code --token-key}. */
    public String tokenKeyBase64() {
        return Base64.getEncoder().encodeToString(tokenKey);
    }

    /** The gateway's key and certificate. */
    public GatewayIdentity gatewayIdentity() {
        return gateway;
    }

    /** A fresh authenticator for the gateway. */
    public SealedTokenAuthenticator authenticator() {
        return SealedTokenAuthenticator.builder().keys(TokenKeys.of(TOKEN_KEY_ID, tokenKey)).build();
    }

    /**
     * A token issuer for the generator, from the printed token key.
     *
     * @param keyId the token key id
     * @param tokenKeyBase64 the token key, base64
     * @return the issuer
     */
    public static TokenIssuer issuer(String keyId, String tokenKeyBase64) {
        requireNonNull(keyId, "keyId");
        requireNonNull(tokenKeyBase64, "tokenKeyBase64");
        return new TokenIssuer(TokenKeys.of(keyId, Base64.getDecoder().decode(tokenKeyBase64)));
    }

    /** A token issuer for an in-process generator. */
    public TokenIssuer issuer() {
        return new TokenIssuer(TokenKeys.of(TOKEN_KEY_ID, tokenKey));
    }
}
