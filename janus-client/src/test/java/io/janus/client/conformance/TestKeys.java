package io.janus.client.conformance;

import io.janus.client.JanusClient;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import java.time.Duration;

/** Keys for tests: a root key made once per JVM and a gateway identity it certified. */
public final class TestKeys {

    /** The root key tests pin. */
    public static final SigningKey ROOT = SigningKey.generate();
    /** A gateway identity certified by {@link #ROOT}, valid for a day. */
    public static final GatewayIdentity GATEWAY = GatewayIdentity.generate(ROOT, "test-gateway", Duration.ofDays(1));

    private TestKeys() {
    }

    /** A client builder that pins {@link #ROOT}. */
    public static JanusClient.Builder client() {
        return JanusClient.builder().pinnedRootKey(ROOT.publicKey());
    }
}
