package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The sealing of handed-over session state (docs/protocol.md, section 14.6). */
class HandoverSealTest {

    private static final byte[] KEY = filled(32, 3);
    private static final byte[] OTHER_KEY = filled(32, 4);

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void aSealedStateOpensUnderTheSameKey() {
        byte[] state = "session state".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = HandoverSeal.seal(KEY, state);

        assertThat(sealed).hasSize(state.length + 28);
        assertThat(HandoverSeal.open(KEY, sealed)).isEqualTo(state);
        assertThat(HandoverSeal.seal(KEY, state)).as("a fresh nonce each time").isNotEqualTo(sealed);
    }

    @Test
    void anotherKeyAnAlterationOrATicketDoNotOpenAsAState() {
        byte[] sealed = HandoverSeal.seal(KEY, new byte[40]);
        assertThatThrownBy(() -> HandoverSeal.open(OTHER_KEY, sealed)).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).reason()).isEqualTo(Reason.RESUME_SESSION_GONE);
        byte[] altered = sealed.clone();
        altered[20] ^= 1;
        assertThatThrownBy(() -> HandoverSeal.open(KEY, altered)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> HandoverSeal.open(KEY, new byte[5])).isInstanceOf(ProtocolException.class);

        byte[] ticket = new ResumeTicket(1, 2, "gw", new byte[32], Long.MAX_VALUE).seal(KEY);
        assertThatThrownBy(() -> HandoverSeal.open(KEY, ticket)).as("different additional data")
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ResumeTicket.open(KEY, sealed, 0)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void aKeyOfTheWrongLengthIsRefused() {
        assertThatThrownBy(() -> HandoverSeal.seal(new byte[16], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
