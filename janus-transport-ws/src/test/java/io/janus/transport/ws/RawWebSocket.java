package io.janus.transport.ws;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately simple WebSocket peer on a blocking {@link Socket}, written from RFC 6455 for the
 * tests: it sends whatever bytes, requests and frames a test asks for, including wrong ones, and reads
 * the gateway's answers. Every read has a 5 s socket timeout. Not thread-safe.
 */
final class RawWebSocket implements AutoCloseable {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** An HTTP response head. */
    record HttpAnswer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A WebSocket frame received. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        /** The status code of a close frame, or -1 when it has none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawWebSocket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        return new RawWebSocket(socket);
    }

    /** The headers of a valid upgrade request, host included. */
    static Map<String, String> upgradeHeaders() {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1");
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(key));
        h.put("Sec-WebSocket-Version", "13");
        return h;
    }

    /** Sends a request with these headers (a null value leaves the header out) and reads the answer head. */
    HttpAnswer request(String method, String path, Map<String, String> headers) throws IOException {
        sendRequest(method, path, headers);
        return readHttp(!method.equals("HEAD"));
    }

    /** Sends a request without reading the answer. */
    void sendRequest(String method, String path, Map<String, String> headers) throws IOException {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        headers.forEach((k, v) -> {
            if (v != null) {
                sb.append(k).append(": ").append(v).append("\r\n");
            }
        });
        sb.append("\r\n");
        send(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Upgrades on {@code path} with a valid request plus {@code extra} headers. */
    HttpAnswer upgrade(String path, Map<String, String> extra) throws IOException {
        Map<String, String> h = upgradeHeaders();
        h.putAll(extra);
        return request("GET", path, h);
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads a response head, and its body when it has a Content-Length. */
    HttpAnswer readHttp() throws IOException {
        return readHttp(true);
    }

    /** Reads a response head, and its body when {@code body} and it has a Content-Length. */
    HttpAnswer readHttp(boolean withBody) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the HTTP answer after " + head.size() + " bytes");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (head.size() > 16384) {
                throw new IOException("HTTP answer head over 16 KiB");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        String body = "";
        String length = headers.get("content-length");
        if (withBody && length != null && status != 101) {
            byte[] b = new byte[Integer.parseInt(length)];
            new DataInputStream(in).readFully(b);
            body = new String(b, StandardCharsets.UTF_8);
        }
        return new HttpAnswer(status, headers, body);
    }

    /** Sends one masked frame. */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        send(frame(fin, opcode, payload, true));
    }

    /** Encodes a frame (RFC 6455 section 5.2). */
    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        writeLength(f, payload.length, masked);
        byte[] mask = new byte[4];
        if (masked) {
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask, 0, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        return f.toByteArray();
    }

    /** Sends only the header of a masked binary frame that declares {@code length} bytes. */
    void sendHeaderOnly(long length) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | BINARY);
        writeLength(f, length, true);
        f.write(new byte[4], 0, 4);
        send(f.toByteArray());
    }

    private static void writeLength(ByteArrayOutputStream f, long length, boolean masked) {
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            f.write(maskBit | (int) length);
        } else if (length <= 0xFFFF) {
            f.write(maskBit | 126);
            f.write((int) (length >>> 8));
            f.write((int) length);
        } else {
            f.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) (length >>> (8 * i)));
            }
        }
    }

    /** Reads one frame from the gateway; null when the connection ends first. */
    Frame readFrame() throws IOException {
        DataInputStream data = new DataInputStream(in);
        int b0;
        try {
            b0 = data.read();
        } catch (SocketException e) {
            return null; // reset
        }
        if (b0 < 0) {
            return null;
        }
        int b1 = data.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = data.readUnsignedShort();
        } else if (length == 127) {
            length = data.readLong();
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("the gateway masked a frame (RFC 6455 section 5.1 forbids it)");
        }
        if (length > 1 << 20) {
            throw new IOException("frame of " + length + " bytes");
        }
        byte[] payload = new byte[(int) length];
        data.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /**
     * Reads frames until a close frame, at most 20; returns it, or null when the connection ends
     * without one.
     */
    Frame readUntilClose() throws IOException {
        for (int i = 0; i < 20; i++) {
            Frame f = readFrame();
            if (f == null || f.opcode() == CLOSE) {
                return f;
            }
        }
        return null;
    }

    /** Whether the gateway closed the TCP connection (reads end of stream or a reset within 5 s). */
    boolean closedByPeer() {
        try {
            byte[] buf = new byte[4096];
            for (int i = 0; i < 1000; i++) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
