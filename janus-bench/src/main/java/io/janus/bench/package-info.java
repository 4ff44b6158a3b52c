/**
 * JMH micro-benchmarks, each with a baseline measured in the same run:
 * {@link io.janus.bench.HandshakeBenchmark} and {@link io.janus.bench.HandshakeStepsBenchmark} (server
 * and client CPU of one handshake, against the JDK's own X25519 and Ed25519),
 * {@link io.janus.bench.RecordBenchmark} (sealing and opening one record, against a plain copy),
 * {@link io.janus.bench.FrameCodecBenchmark} (the stream framing), {@link io.janus.bench.RouterBenchmark}
 * (hash ring and router lookup) and {@link io.janus.bench.FanOutBenchmark} (encoding and sealing one push
 * for many sessions). Run them from {@code target/janus-bench.jar}; the end-to-end load generator, the
 * ceiling server and the scenario runner are in {@link io.janus.bench.load}. The commands and the
 * measured figures are in {@code docs/benchmarks.md}.
 */
package io.janus.bench;
