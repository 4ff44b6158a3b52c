package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Sealing, opening and proving possession of resume tickets (docs/protocol.md, section 14). */
class ResumeTicketTest {

    private static final long NOW = 1_800_000_000_000L;

    private static byte[] bytes(int length, int fill) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static final byte[] KEY = bytes(32, 7);
    private static final byte[] SECRET = bytes(32, 9);

    private static ResumeTicket ticket() {
        return new ResumeTicket(42L, -5L, "gw-é", SECRET, NOW + 90_000);
    }

    private static void assertInvalid(byte[] key, byte[] sealed, long now, String message) {
        assertThatThrownBy(() -> ResumeTicket.open(key, sealed, now))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RESUME_TICKET_INVALID))
                .hasMessageContaining(message);
    }

    @Test
    void aSealedTicketOpensToTheSameContents() {
        byte[] sealed = ticket().seal(KEY);

        ResumeTicket opened = ResumeTicket.open(KEY, sealed, NOW);

        assertThat(opened.sessionId()).isEqualTo(42L);
        assertThat(opened.playerId()).isEqualTo(-5L);
        assertThat(opened.gatewayId()).isEqualTo("gw-é");
        assertThat(opened.resumeSecret()).isEqualTo(SECRET);
        assertThat(opened.expiresAtMillis()).isEqualTo(NOW + 90_000);
        assertThat(sealed.length).isLessThanOrEqualTo(ResumeTicket.MAX_SEALED_LENGTH);
    }

    @Test
    void twoSealsOfOneTicketDifferByTheirRandomNonce() {
        assertThat(ticket().seal(KEY)).isNotEqualTo(ticket().seal(KEY));
    }

    @Test
    void everyFlippedByteIsRefused() {
        byte[] sealed = ticket().seal(KEY);
        for (int i = 0; i < sealed.length; i++) {
            byte[] forged = sealed.clone();
            forged[i] ^= 0x01;
            assertInvalid(KEY, forged, NOW, "does not verify");
        }
    }

    @Test
    void aTicketOfAnotherKeyIsRefused() {
        assertInvalid(bytes(32, 8), ticket().seal(KEY), NOW, "another key");
    }

    @Test
    void anExpiredTicketIsRefused() {
        byte[] sealed = ticket().seal(KEY);

        assertInvalid(KEY, sealed, NOW + 90_000, "expired");
        assertThat(ResumeTicket.open(KEY, sealed, NOW + 89_999).sessionId()).isEqualTo(42L);
    }

    @Test
    void truncatedOrOversizedTicketsAreRefusedBeforeDecrypting() {
        byte[] sealed = ticket().seal(KEY);
        assertInvalid(KEY, new byte[0], NOW, "a ticket of 0 bytes");
        assertInvalid(KEY, Arrays.copyOf(sealed, 20), NOW, "a ticket of 20 bytes");
        assertInvalid(KEY, new byte[ResumeTicket.MAX_SEALED_LENGTH + 1], NOW,
                "a ticket of " + (ResumeTicket.MAX_SEALED_LENGTH + 1) + " bytes");
    }

    @Test
    void theProofMatchesOnlyTheSecretAndTheTranscriptItWasMadeFor() {
        byte[] transcript = bytes(32, 1);
        byte[] proof = ResumeTicket.proof(SECRET, transcript);
        ResumeTicket t = ticket();

        assertThat(proof).hasSize(32);
        assertThat(t.verifyProof(proof, transcript)).isTrue();
        assertThat(t.verifyProof(proof, bytes(32, 2))).as("another handshake").isFalse();
        assertThat(t.verifyProof(ResumeTicket.proof(bytes(32, 3), transcript), transcript))
                .as("someone without the session's resume secret").isFalse();
        assertThat(t.verifyProof(new byte[0], transcript)).isFalse();
    }

    @Test
    void aTicketCarriesOnlyItsOwnSecret() {
        assertThat(ticket().carries(SECRET)).isTrue();
        assertThat(ticket().carries(bytes(32, 10))).isFalse();
        assertThat(ticket().carries(null)).isFalse();
    }

    @Test
    void badArgumentsAreRefusedAtTheBoundary() {
        assertThatThrownBy(() -> ticket().seal(new byte[16])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ResumeTicket(1, 1, "g", new byte[31], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ResumeTicket(1, 1, "g".repeat(256), SECRET, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
