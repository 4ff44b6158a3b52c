package io.janus.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out local addresses 127.0.0.1 to 127.0.0.N in turn, so that more connections than one address's
 * ephemeral ports (about 28,000 with Linux's default {@code ip_local_port_range}) can reach one gateway
 * port: each source address has its own ports. All of 127.0.0.0/8 is loopback on Linux. Thread-safe.
 */
final class SourceAddresses {

    private final int count;
    private final AtomicLong next = new AtomicLong();

    /**
     * @param count how many addresses, 1 to 16,000,000
     */
    SourceAddresses(int count) {
        if (count < 1 || count > 16_000_000) {
            throw new IllegalArgumentException("count: " + count + " (expected: 1 to 16000000)");
        }
        this.count = count;
    }

    /** The next local address (port 0: the kernel picks), or {@code null} when there is only one: no binding. */
    InetSocketAddress next() {
        if (count == 1) {
            return null;
        }
        int i = (int) (next.getAndIncrement() % count) + 1;
        byte[] ip = {127, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), 0);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }
}
