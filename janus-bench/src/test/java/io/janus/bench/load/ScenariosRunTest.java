package io.janus.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves that the scenario runner starts the ceiling and a gateway in their own JVMs, drives them and
 * reads their figures: scenario 1 (ratio to the ceiling) and scenarios 3 to 5 (memory from the gateway
 * JVM, pushes counted at the clients, CPU from /proc), at a tiny scale. No goal is checked.
 */
class ScenariosRunTest {

    @Test
    void scenariosRunAgainstServersInOtherJvms() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, Object> results;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            results = Scenarios.run(out, "--only", "1,3,4,5", "--duration", "1", "--warmup", "0.3",
                    "--connections", "5", "--idle-sessions", "20", "--warmup-sessions", "5",
                    "--broadcast-rounds", "2", "--broadcast-warmup", "1", "--server-heap", "256m", "--idle-wait", "0");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("| 1 |", "| 3 |", "| 4 |", "| 5 |", "SCENARIOS {");
        assertThat((Double) results.get("s1_value")).isPositive();
        assertThat(results.get("s4_deliveries")).isEqualTo(40L);
        assertThat(results.get("s3_opened")).isEqualTo(20);
        assertThat(((Map<?, ?>) results.get("s3_after")).get("sessions")).isEqualTo(20.0);
        assertThat((Double) results.get("s5_value")).isPositive();
    }
}
