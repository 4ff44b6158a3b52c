/**
 * Test support shared by every Janus module: {@link io.janus.testing.LeakDetectionExtension} fails a
 * test on a leaked Netty buffer, {@link io.janus.testing.FuzzLifecycle} does the same (and catches
 * hangs) for jqwik fuzz properties, {@link io.janus.testing.FuzzAllocator} counts the bytes fuzzed code
 * keeps alive, and {@link io.janus.testing.FreePorts} finds free loopback ports.
 * Nothing here depends on another Janus module.
 */
package io.janus.testing;
