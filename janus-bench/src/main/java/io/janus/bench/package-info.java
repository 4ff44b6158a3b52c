/**
 * JMH micro-benchmarks and a load generator with latency percentiles, measured against a raw Netty
 * ceiling in the same run.
 *
 * <p><b>Not written yet.</b> This module is a placeholder in the reactor. The work is tracked by the
 * issue "janus-bench".
 */
package io.janus.bench;
