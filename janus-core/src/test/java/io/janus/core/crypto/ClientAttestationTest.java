package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.LoginRequest;
import io.janus.api.Reason;
import io.janus.core.AuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientAttestation} (docs/protocol.md, section 5): a login passes only with a trusted app key's
 * signature over "janus/v1 client attestation" || 0x00 || the transcript hash.
 */
class ClientAttestationTest {

    private static final SigningKey APP = SigningKey.generate();
    private static final SigningKey OTHER_APP = SigningKey.generate();
    private static final byte[] TRANSCRIPT = filled(0x5A);
    private static final ClientAttestation POLICY = ClientAttestation.requireOneOf(
            List.of(OTHER_APP.publicKey(), APP.publicKey()));

    private static byte[] filled(int b) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) b);
        return out;
    }

    private static LoginRequest login(SigningKey key, byte[] signature) {
        return LoginRequest.newBuilder().setToken("t")
                .setAttestationKey(ByteString.copyFrom(key.publicKey()))
                .setAttestationSignature(ByteString.copyFrom(signature))
                .build();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(LoginRequest login) {
        return assertThatThrownBy(() -> POLICY.check(login, TRANSCRIPT))
                .isInstanceOfSatisfying(AuthenticationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.ATTESTATION_FAILED));
    }

    @Test
    void signedMessageIsTheContextLabelAZeroByteAndTheTranscript() {
        byte[] expected = Arrays.copyOf("janus/v1 client attestation\0".getBytes(StandardCharsets.US_ASCII), 28 + 32);
        System.arraycopy(TRANSCRIPT, 0, expected, 28, 32);
        assertThat(ClientAttestation.signedMessage(TRANSCRIPT)).isEqualTo(expected);
    }

    @Test
    void aGoodAttestationPasses() {
        byte[] signature = APP.sign(ClientAttestation.signedMessage(TRANSCRIPT));
        assertThat(POLICY.required()).isTrue();
        assertThatCode(() -> POLICY.check(login(APP, signature), TRANSCRIPT)).doesNotThrowAnyException();
    }

    @Test
    void aMissingAttestationIsRefused() {
        assertRefused(LoginRequest.newBuilder().setToken("t").build()).hasMessage("client attestation is required");
    }

    @Test
    void anUntrustedAppKeyIsRefused() {
        SigningKey stranger = SigningKey.generate();
        assertRefused(login(stranger, stranger.sign(ClientAttestation.signedMessage(TRANSCRIPT))))
                .hasMessage("the client app key is not trusted");
    }

    @Test
    void aBadSignatureIsRefused() {
        byte[] signature = APP.sign(ClientAttestation.signedMessage(TRANSCRIPT));
        signature[10] ^= 1;
        assertRefused(login(APP, signature)).hasMessage("the client attestation signature does not verify");
    }

    @Test
    void aSignatureOverAnotherTranscriptIsRefused() {
        // Replaying an attestation captured from another session.
        byte[] signature = APP.sign(ClientAttestation.signedMessage(filled(0x5B)));
        assertRefused(login(APP, signature)).hasMessage("the client attestation signature does not verify");
    }

    @Test
    void aSignatureByAnotherTrustedKeyIsRefused() {
        byte[] signature = OTHER_APP.sign(ClientAttestation.signedMessage(TRANSCRIPT));
        assertRefused(login(APP, signature)).hasMessage("the client attestation signature does not verify");
    }

    @Test
    void aTrustedKeyWithoutSignatureIsRefused() {
        assertRefused(login(APP, new byte[0])).hasMessage("the client attestation signature does not verify");
    }

    @Test
    void noneRequiresNothing() {
        assertThat(ClientAttestation.NONE.required()).isFalse();
        assertThatCode(() -> ClientAttestation.NONE.check(LoginRequest.getDefaultInstance(), TRANSCRIPT))
                .doesNotThrowAnyException();
    }

    @Test
    void requireOneOfRefusesNoKeysAndKeysOfTheWrongLength() {
        assertThatThrownBy(() -> ClientAttestation.requireOneOf(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trustedKeys: empty (expected: at least one app key)");
        assertThatThrownBy(() -> ClientAttestation.requireOneOf(List.of(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trusted app key of 31 bytes (expected: 32)");
    }

    @Test
    void requireOneOfCopiesTheKeys() {
        byte[] key = APP.publicKey();
        ClientAttestation policy = ClientAttestation.requireOneOf(List.of(key));
        key[0] ^= 1;
        byte[] signature = APP.sign(ClientAttestation.signedMessage(TRANSCRIPT));
        assertThatCode(() -> policy.check(login(APP, signature), TRANSCRIPT)).doesNotThrowAnyException();
    }
}
