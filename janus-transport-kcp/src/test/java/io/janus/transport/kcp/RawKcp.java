package io.janus.transport.kcp;

import io.janus.transport.kcp.protocol.Kcp;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A plain {@link DatagramSocket} on loopback that writes KCP segments by hand. Test code. */
final class RawKcp implements AutoCloseable {

    final DatagramSocket socket;
    final InetSocketAddress server;
    long sentBytes;

    RawKcp(InetSocketAddress server) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.server = server;
    }

    /** One segment header followed by {@code body}; {@code len} is written as given. */
    static byte[] segment(int conv, int cmd, int sn, long len, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Kcp.OVERHEAD + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(conv).put((byte) cmd).put((byte) 0).putShort((short) 128).putInt(0).putInt(sn).putInt(0)
                .putInt((int) len).put(body);
        return b.array();
    }

    static byte[] push(int conv, int sn, byte[] body) {
        return segment(conv, Kcp.CMD_PUSH, sn, body.length, body);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, server));
        sentBytes += datagram.length;
    }

    /**
     * Receives datagrams until none arrives for {@code quietMillis}, for at most {@code maxDatagrams}.
     *
     * @return the bytes received
     */
    long drain(int quietMillis, int maxDatagrams) throws IOException {
        socket.setSoTimeout(quietMillis);
        byte[] buf = new byte[65_536];
        long total = 0;
        for (int i = 0; i < maxDatagrams; i++) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            total += p.getLength();
        }
        return total;
    }

    @Override
    public void close() {
        socket.close();
    }
}
