package io.janus.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.janus.core.spi.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON value stored under an instance's key. */
class InstanceJsonTest {

    @Test
    void roundTripsEveryField() {
        ServiceInstance instance = ServiceInstance.of("room", "gw-1/room", "10.0.0.5:9000",
                Map.of(ServiceInstance.COLOR, "blue", ServiceInstance.WEIGHT, "3", "note", "quote \" slash \\ tab \t é \u0001"));
        assertThat(InstanceJson.decode(InstanceJson.encode(instance))).isEqualTo(instance);
    }

    @Test
    void encodesAStableReadableObject() {
        ServiceInstance instance = ServiceInstance.of("room", "r1", "inproc:room", Map.of("zone", "eu", "color", "blue"));
        assertThat(new String(InstanceJson.encode(instance), StandardCharsets.UTF_8)).isEqualTo(
                "{\"service\":\"room\",\"id\":\"r1\",\"address\":\"inproc:room\","
                        + "\"metadata\":{\"color\":\"blue\",\"zone\":\"eu\"}}");
    }

    @Test
    void readsWhitespaceEscapesUnknownMembersAndMissingMetadata() {
        String json = " {\n \"id\" : \"r\\u0031\", \"extra\":\"later\", \"address\":\"a\\/b\",\"service\":\"room\" } ";
        assertThat(InstanceJson.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(ServiceInstance.of("room", "r1", "a/b", Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "{\"service\":",
        "{\"service\":\"room\",\"id\":\"r\"}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\"} trailing",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":1}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\",\"metadata\":{\"k\":1}}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\",\"metadata\":{\"k\":\"v\",\"k\":\"w\"}}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\\q\"}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\\u12\"}",
        "{\"service\":\"\",\"id\":\"r\",\"address\":\"a\"}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\nb\"}",
        "{\"service\":\"room\",\"id\":\"r\",\"address\":\"a\",\"nested\":{}}",
    })
    void rejectsMalformedValuesWithAMessage(String json) {
        assertThatThrownBy(() -> InstanceJson.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(expected|exceeds|duplicate|lacks|not a valid|more than).*");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] value = {'{', '"', (byte) 0xC3, '"', '}'};
        assertThatThrownBy(() -> InstanceJson.decode(value)).hasMessageContaining("UTF-8");
    }

    @Test
    void rejectsOversizedValuesBeforeParsing() {
        byte[] value = new byte[InstanceJson.MAX_VALUE_BYTES + 1];
        assertThatThrownBy(() -> InstanceJson.decode(value)).hasMessageContaining("exceeds " + InstanceJson.MAX_VALUE_BYTES);
    }

    @Test
    void rejectsTooManyMetadataEntries() {
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i <= InstanceJson.MAX_METADATA_ENTRIES; i++) {
            metadata.put("k" + i, "v");
        }
        byte[] value = InstanceJson.encode(ServiceInstance.of("room", "r", "a", metadata));
        assertThatThrownBy(() -> InstanceJson.decode(value)).hasMessageContaining("more than");
    }
}
