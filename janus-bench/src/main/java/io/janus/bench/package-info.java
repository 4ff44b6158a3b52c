/**
 * JMH micro-benchmarks of the secure session protocol, each with a baseline measured in the same run:
 * {@link io.janus.bench.HandshakeBenchmark} (server and client CPU of one handshake, against the JDK's
 * own X25519 and Ed25519) and {@link io.janus.bench.RecordBenchmark} (sealing and opening one record,
 * against a plain copy of the bytes). Run them from {@code target/janus-bench.jar}; the commands and the
 * measured figures are in {@code docs/benchmarks.md}.
 *
 * <p><b>Still to come</b> (the later issue "janus-bench"): the load generator with latency percentiles
 * over real connections and transports, measured against a raw Netty ceiling, and the other scenarios
 * (routing, tunnels, push).
 */
package io.janus.bench;
