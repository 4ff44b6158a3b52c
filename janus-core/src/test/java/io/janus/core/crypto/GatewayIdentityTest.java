package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GatewayIdentity}: a gateway key paired only with a certificate for that very key. */
class GatewayIdentityTest {

    private static final SigningKey ROOT = SigningKey.generate();

    private static GatewayCertificate certificateFor(SigningKey key, String keyId) {
        Instant now = Instant.now();
        return GatewayCertificate.issue(ROOT, keyId, key.publicKey(), now.minusSeconds(60), now.plusSeconds(3600));
    }

    @Test
    void pairsAKeyWithItsCertificate() {
        SigningKey key = SigningKey.generate();
        GatewayCertificate certificate = certificateFor(key, "gw-1");
        GatewayIdentity identity = GatewayIdentity.of(key, certificate);
        assertThat(identity.key()).isSameAs(key);
        assertThat(identity.certificate()).isSameAs(certificate);
        assertThat(identity.toString()).contains("gw-1").doesNotContain(Base64.getEncoder().encodeToString(key.seed()));
    }

    @Test
    void refusesACertificateForAnotherKey() {
        SigningKey key = SigningKey.generate();
        GatewayCertificate other = certificateFor(SigningKey.generate(), "gw-other");
        assertThatThrownBy(() -> GatewayIdentity.of(key, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the certificate 'gw-other' is for another key than the gateway key given");
    }

    @Test
    void refusesNulls() {
        SigningKey key = SigningKey.generate();
        assertThatThrownBy(() -> GatewayIdentity.of(null, certificateFor(key, "gw")))
                .isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> GatewayIdentity.of(key, null))
                .isInstanceOf(NullPointerException.class).hasMessage("certificate");
    }

    @Test
    void fromBase64RestoresTheIdentityConfigurationHolds() {
        SigningKey key = SigningKey.generate();
        GatewayCertificate certificate = certificateFor(key, "gw-2");
        GatewayIdentity identity = GatewayIdentity.fromBase64(Base64.getEncoder().encodeToString(key.seed()),
                certificate.toBase64() + "\n");
        assertThat(identity.key()).isEqualTo(key);
        assertThat(identity.certificate().encoded()).isEqualTo(certificate.encoded());
    }

    @Test
    void fromBase64RefusesACertificateForAnotherKey() {
        GatewayCertificate other = certificateFor(SigningKey.generate(), "gw-other");
        String seed = Base64.getEncoder().encodeToString(SigningKey.generate().seed());
        assertThatThrownBy(() -> GatewayIdentity.fromBase64(seed, other.toBase64()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is for another key");
    }

    @Test
    void generateCertifiesAFreshKeyValidNow() {
        GatewayIdentity identity = GatewayIdentity.generate(ROOT, "dev", Duration.ofHours(1));
        GatewayCertificate certificate = identity.certificate();
        assertThat(certificate.publicKey()).isEqualTo(identity.key().publicKey());
        assertThat(certificate.keyId()).isEqualTo("dev");
        assertThatCode(() -> certificate.verify(List.of(ROOT.publicKey()), Instant.now(), Duration.ZERO))
                .doesNotThrowAnyException();
        assertThat(GatewayIdentity.generate(ROOT, "dev", Duration.ofHours(1)).key()).isNotEqualTo(identity.key());
    }
}
