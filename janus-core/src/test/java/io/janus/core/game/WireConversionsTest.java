package io.janus.core.game;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.janus.api.Packet;
import org.junit.jupiter.api.Test;

/** {@link Push} and {@link Audience} to and from their wire messages (packet.proto, push.proto). */
class WireConversionsTest {

    @Test
    void aPushTravelsAsAPacketWithIndexZeroAndBack() {
        Push push = Push.of(3, 7, 42, ByteString.copyFromUtf8("hi"));

        Packet packet = push.toPacket();

        assertThat(packet).isEqualTo(Packet.newBuilder().setModule(3).setSeq(7).setObj(42)
                .setBody(ByteString.copyFromUtf8("hi")).build());
        Push back = Push.of(packet.toBuilder().setIndex(9).setFlags(1).setStatus(5).build());
        assertThat(back.toPacket()).as("index, flags and status are not part of a push").isEqualTo(packet);
        assertThatThrownBy(() -> Push.of(packet.toBuilder().setModule(0).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("system module");
    }

    @Test
    void anAudienceTravelsWithItsAbsentFieldsMatchingAnything() {
        assertThat(Audience.all().toWire()).isEqualTo(io.janus.api.Audience.getDefaultInstance());
        assertThat(Audience.of(io.janus.api.Audience.getDefaultInstance())).isSameAs(Audience.all());
        for (Audience a : new Audience[] {Audience.zone(0), Audience.color("red"), Audience.zoneAndColor(2, "")}) {
            assertThat(Audience.of(a.toWire())).isEqualTo(a);
        }
        assertThat(Audience.zone(0).toWire().hasZone()).as("zone 0 is a zone, not 'any'").isTrue();
        assertThatThrownBy(() -> Audience.of(io.janus.api.Audience.newBuilder().setZone(-2).build()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
