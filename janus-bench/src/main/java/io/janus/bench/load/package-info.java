/**
 * End-to-end load: the {@link io.janus.bench.load.LoadGenerator} command (real sessions over real
 * sockets, HdrHistogram latency percentiles), the {@link io.janus.bench.load.CeilingServer} it is
 * compared with (a raw Netty echo with Janus's framing and nothing else), the
 * {@link io.janus.bench.load.BenchGateway} process it drives, and the {@link io.janus.bench.load.Scenarios}
 * runner that runs all of them in one run and prints each gateway figure as a ratio to the ceiling
 * (docs/benchmarks.md).
 */
package io.janus.bench.load;
