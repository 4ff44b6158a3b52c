/**
 * Test support shared by every Janus module: {@link io.janus.testing.LeakDetectionExtension} fails a
 * test on a leaked Netty buffer, and {@link io.janus.testing.FreePorts} finds free loopback ports.
 * Nothing here depends on another Janus module.
 */
package io.janus.testing;
