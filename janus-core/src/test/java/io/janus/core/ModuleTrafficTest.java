package io.janus.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Module labels come from clients, so their number is bounded; latency buckets are cumulative. */
class ModuleTrafficTest {

    @Test
    void modulesPastTheTrackedRangeShareOneBucket() {
        GatewayStats stats = new GatewayStats();
        ModuleTraffic traffic = stats.traffic();
        for (int module = 0; module < 5000; module++) {
            traffic.recordIn(module, 1);
        }
        traffic.recordIn(-1, 1); // an unsigned module above 2^31
        assertThat(traffic.snapshot()).hasSize(ModuleTraffic.TRACKED_MODULES + 1);
        assertThat(traffic.snapshot().get(ModuleTraffic.OTHER).packetsIn())
                .isEqualTo(5000 - ModuleTraffic.TRACKED_MODULES + 1);
        assertThat(ModuleTraffic.label(-1)).isEqualTo(ModuleTraffic.OTHER);
        assertThat(ModuleTraffic.label(12)).isEqualTo("12");
        assertThat(ModuleTraffic.label(12)).as("made once").isSameAs(ModuleTraffic.label(12));
        assertThat(ModuleTraffic.label(ModuleTraffic.TRACKED_MODULES - 1)).isEqualTo("1023");
        assertThat(ModuleTraffic.label(ModuleTraffic.TRACKED_MODULES)).isEqualTo(ModuleTraffic.OTHER);
    }

    @Test
    void latencyHistogramCountsCumulativelyWithAnInfiniteLastBucket() {
        LatencyHistogram h = new GatewayStats().tunnelLatency();
        h.record(100_000);        // 0.1 ms
        h.record(3_000_000);      // 3 ms
        h.record(-5);             // clock oddities count as zero
        h.record(60_000_000_000L); // a minute
        long[] counts = h.cumulativeCounts();
        double[] bounds = LatencyHistogram.bounds();
        assertThat(counts).hasSize(bounds.length + 1);
        assertThat(counts[0]).isEqualTo(2);                 // <= 0.5 ms
        assertThat(counts[3]).isEqualTo(3);                 // <= 5 ms
        assertThat(bounds[3]).isEqualTo(0.005);
        assertThat(counts[bounds.length - 1]).isEqualTo(3); // <= 10 s
        assertThat(counts[bounds.length]).isEqualTo(4);
        assertThat(h.count()).isEqualTo(4);
        assertThat(h.sumSeconds()).isEqualTo(60.0031);
    }
}
