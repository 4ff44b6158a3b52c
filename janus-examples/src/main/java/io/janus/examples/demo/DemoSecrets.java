package io.janus.examples.demo;

import io.janus.core.auth.SealedTokenAuthenticator;
import io.janus.core.auth.TokenIssuer;
import io.janus.core.auth.TokenKeys;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import java.time.Duration;

/**
 * The keys of the demo "studio", made fresh for each run: the root key that clients pin, a gateway
 * identity it certifies, and the token key shared by the login service and the gateway. A real studio
 * keeps the root key offline and loads the gateway's key, certificate and token keys from its secrets
 * (docs/protocol.md, sections 3 and 10).
 */
public final class DemoSecrets {

    private final SigningKey root;
    private final GatewayIdentity gateway;
    private final TokenKeys tokenKeys;

    private DemoSecrets(SigningKey root, GatewayIdentity gateway, TokenKeys tokenKeys) {
        this.root = root;
        this.gateway = gateway;
        this.tokenKeys = tokenKeys;
    }

    /**
     * Makes a fresh set.
     *
     * @return the secrets
     */
    public static DemoSecrets generate() {
        SigningKey root = SigningKey.generate();
        return new DemoSecrets(root, GatewayIdentity.generate(root, "demo-gateway", Duration.ofDays(1)),
                TokenKeys.of("demo-1", TokenKeys.generateKey()));
    }

    /** The root public key clients pin. */
    public byte[] rootPublicKey() {
        return root.publicKey();
    }

    /** The gateway's key and certificate. */
    public GatewayIdentity gatewayIdentity() {
        return gateway;
    }

    /** A fresh authenticator for the gateway, with its own replay cache. */
    public SealedTokenAuthenticator authenticator() {
        return SealedTokenAuthenticator.builder().keys(tokenKeys).build();
    }

    /** What the game's login service issues tokens with. */
    public TokenIssuer tokenIssuer() {
        return new TokenIssuer(tokenKeys);
    }
}
