package io.janus.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.janus.api.Heartbeat;
import io.janus.api.LoginRequest;
import io.janus.api.LoginResponse;
import io.janus.api.Packet;
import io.janus.api.SystemSeq;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayCertificate;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.Hkdf;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The normative test vectors of docs/protocol.md, section 13, kept in
 * {@code docs/test-vectors/session-v1.json}. From fixed keys and randoms, the session is built with the
 * Java implementation and every intermediate value compared to the committed file, so a change of the
 * implementation's output fails here. The file's values are then rechecked without the implementation:
 * the key schedule with a plain javax.crypto HMAC-SHA256, the records with a plain javax.crypto
 * AES/GCM, and the X25519 and Ed25519 values with the JDK's own providers (the implementation uses
 * BouncyCastle).
 *
 * <p>To regenerate the file after an intended change of the protocol, run {@code writeTheVectorFile} with
 * {@code -Djanus.vectors.write=true}; review the diff, and update section 13 with it.
 */
class ProtocolTestVectorsTest {

    private static final Path FILE = Path.of("../docs/test-vectors/session-v1.json");
    private static final HexFormat HEX = HexFormat.of();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static final String KEY_ID = "vector-gw";
    private static final long NOT_BEFORE = 1_700_000_000L;
    private static final long NOT_AFTER = 1_900_000_000L;
    private static final long CLIENT_CLOCK = 1_800_000_000L;
    private static final int THRESHOLD = 1024;

    private static final Packet LOGIN = SystemPackets.packet(SystemSeq.LOGIN, 1, LoginRequest.newBuilder()
            .setToken("vector-token").setClientVersion("vector").build());
    private static final Packet LOGIN_ANSWER = SystemPackets.packet(SystemSeq.LOGIN, 1, LoginResponse.newBuilder()
            .setSessionId(1).setPlayerId(42).setHeartbeatIntervalMs(10_000).setIdleTimeoutMs(30_000)
            .setServerTimeMs(1_700_000_000_000L).setMaxFrameLength(65_536).setMaxPendingRequests(64).build());
    private static final Packet HEARTBEAT = SystemPackets.packet(SystemSeq.HEARTBEAT, 2, Heartbeat.newBuilder()
            .setClientTimeMs(1_700_000_001_000L).build());

    private static final String DESCRIPTION = "Janus client protocol version 1 (docs/protocol.md), test vectors of "
            + "section 13. Byte strings are lowercase hex; integers in messages are big-endian. Every output "
            + "follows from the inputs alone: Ed25519 signatures are deterministic and the ephemeral keys and "
            + "randoms are fixed. Records are sealed with counter 0 unless named otherwise; c2s_key_update_record "
            + "is the client's second record (counter 1, under c2s_secret_0) and c2s_record_after_key_update "
            + "its third (counter 0 under c2s_secret_1). Checked by ProtocolTestVectorsTest in janus-core.";

    private static Map<String, Object> file;
    private static Map<String, String> outputs;

    private static byte[] counting(int first, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (first + i);
        }
        return out;
    }

    /** The inputs, in the file's order and form. */
    private static Map<String, Object> inputs() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("root_key_seed", HEX.formatHex(counting(0x01, 32)));
        in.put("gateway_key_seed", HEX.formatHex(counting(0x21, 32)));
        in.put("gateway_key_id", KEY_ID);
        in.put("certificate_not_before", NOT_BEFORE);
        in.put("certificate_not_after", NOT_AFTER);
        in.put("client_clock_for_certificate_check", CLIENT_CLOCK);
        in.put("client_x25519_private_key", HEX.formatHex(counting(0x41, 32)));
        in.put("server_x25519_private_key", HEX.formatHex(counting(0x61, 32)));
        in.put("client_random", HEX.formatHex(counting(0x81, 32)));
        in.put("server_random", HEX.formatHex(counting(0xA1, 32)));
        in.put("client_accepts_compression", true);
        in.put("server_compression_threshold", (long) THRESHOLD);
        in.put("login_packet", "Packet{module 0, seq 1 (LOGIN), index 1, body LoginRequest{token \"vector-token\", "
                + "client_version \"vector\"}}");
        in.put("login_answer_packet", "Packet{module 0, seq 1 (LOGIN), index 1, body LoginResponse{session_id 1, "
                + "player_id 42, heartbeat_interval_ms 10000, idle_timeout_ms 30000, server_time_ms 1700000000000, "
                + "max_frame_length 65536, max_pending_requests 64}}");
        in.put("heartbeat_packet", "Packet{module 0, seq 2 (HEARTBEAT), index 2, body Heartbeat{client_time_ms "
                + "1700000001000}}");
        return in;
    }

    /** Builds the session from the inputs with the Java implementation; every value, in the file's order. */
    private static Map<String, String> compute() {
        SigningKey root = SigningKey.fromSeed(counting(0x01, 32));
        SigningKey gatewayKey = SigningKey.fromSeed(counting(0x21, 32));
        GatewayCertificate certificate = GatewayCertificate.issue(root, KEY_ID, gatewayKey.publicKey(),
                Instant.ofEpochSecond(NOT_BEFORE), Instant.ofEpochSecond(NOT_AFTER));
        GatewayIdentity identity = GatewayIdentity.of(gatewayKey, certificate);
        EphemeralKey clientKey = EphemeralKey.fromPrivateKey(counting(0x41, 32));
        EphemeralKey serverKey = EphemeralKey.fromPrivateKey(counting(0x61, 32));

        ClientHello clientHello = ClientHello.create(clientKey, counting(0x81, 32), true);
        ServerHello serverHello = ServerHello.create(clientHello, serverKey, counting(0xA1, 32), THRESHOLD, identity);
        // The client's checks (section 4.2) pass on the hello as it travels.
        ByteBuf frame = Unpooled.wrappedBuffer(serverHello.encoded());
        ServerHello received = ServerHello.parse(frame);
        frame.release();
        received.verify(clientHello, List.of(root.publicKey()), Instant.ofEpochSecond(CLIENT_CLOCK),
                Duration.ofSeconds(300));
        assertThat(received.compressionThreshold()).isEqualTo(THRESHOLD);

        byte[] shared = clientKey.agree(serverHello.publicKey());
        assertThat(serverKey.agree(clientHello.publicKey())).as("both ends agree").isEqualTo(shared);
        byte[] transcript = serverHello.transcriptHash(clientHello);
        KeySchedule keys = KeySchedule.derive(shared, transcript);
        byte[] c2s = keys.clientToServerSecret();
        byte[] s2c = keys.serverToClientSecret();
        byte[] c2sNext = Hkdf.expand(c2s, "janus/v1 key update", 32);

        TrafficCipher clientSealer = TrafficCipher.sealing(c2s, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        TrafficCipher serverSealer = TrafficCipher.sealing(s2c, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        byte[] c2sRecord = seal(clientSealer, LOGIN);
        byte[] c2sKeyUpdate = bytesOf(clientSealer.sealKeyUpdate(ALLOC));
        byte[] c2sAfterUpdate = seal(clientSealer, HEARTBEAT);
        byte[] s2cRecord = seal(serverSealer, LOGIN_ANSWER);

        Map<String, String> out = new LinkedHashMap<>();
        out.put("root_public_key", HEX.formatHex(root.publicKey()));
        out.put("gateway_public_key", HEX.formatHex(gatewayKey.publicKey()));
        out.put("gateway_certificate", HEX.formatHex(certificate.encoded()));
        out.put("client_ephemeral_public_key", HEX.formatHex(clientKey.publicKey()));
        out.put("server_ephemeral_public_key", HEX.formatHex(serverKey.publicKey()));
        out.put("client_hello", HEX.formatHex(clientHello.encoded()));
        out.put("server_hello", HEX.formatHex(serverHello.encoded()));
        out.put("shared_secret", HEX.formatHex(shared));
        out.put("transcript_hash", HEX.formatHex(transcript));
        out.put("prk", HEX.formatHex(Hkdf.extract(transcript, shared)));
        out.put("c2s_secret_0", HEX.formatHex(c2s));
        out.put("s2c_secret_0", HEX.formatHex(s2c));
        out.put("resume_secret", HEX.formatHex(keys.resumeSecret()));
        out.put("c2s_key_0", HEX.formatHex(Hkdf.expand(c2s, "janus/v1 key", 32)));
        out.put("c2s_iv_0", HEX.formatHex(Hkdf.expand(c2s, "janus/v1 iv", 12)));
        out.put("s2c_key_0", HEX.formatHex(Hkdf.expand(s2c, "janus/v1 key", 32)));
        out.put("s2c_iv_0", HEX.formatHex(Hkdf.expand(s2c, "janus/v1 iv", 12)));
        out.put("login_packet_plaintext", HEX.formatHex(encode(LOGIN)));
        out.put("login_answer_packet_plaintext", HEX.formatHex(encode(LOGIN_ANSWER)));
        out.put("c2s_record_0", HEX.formatHex(c2sRecord));
        out.put("s2c_record_0", HEX.formatHex(s2cRecord));
        out.put("c2s_secret_1", HEX.formatHex(c2sNext));
        out.put("c2s_key_1", HEX.formatHex(Hkdf.expand(c2sNext, "janus/v1 key", 32)));
        out.put("c2s_iv_1", HEX.formatHex(Hkdf.expand(c2sNext, "janus/v1 iv", 12)));
        out.put("c2s_key_update_record", HEX.formatHex(c2sKeyUpdate));
        out.put("heartbeat_packet_plaintext", HEX.formatHex(encode(HEARTBEAT)));
        out.put("c2s_record_after_key_update", HEX.formatHex(c2sAfterUpdate));
        return out;
    }

    private static byte[] encode(Packet packet) {
        return bytesOf(PacketCodec.encode(ALLOC, packet));
    }

    private static byte[] seal(TrafficCipher sealer, Packet packet) {
        ByteBuf plaintext = PacketCodec.encode(ALLOC, packet);
        try {
            return bytesOf(sealer.seal(ALLOC, plaintext));
        } finally {
            plaintext.release();
        }
    }

    /** The readable bytes of a buffer, which this releases. */
    private static byte[] bytesOf(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @SuppressWarnings("unchecked")
    @BeforeAll
    static void readFile() throws IOException {
        // A missing file fails every comparison below, but leaves writeTheVectorFile free to create it.
        file = Files.exists(FILE)
                ? (Map<String, Object>) new Json(Files.readString(FILE, StandardCharsets.UTF_8)).parse()
                : Map.of("outputs", Map.of());
        outputs = new LinkedHashMap<>();
        ((Map<String, Object>) file.get("outputs")).forEach((k, v) -> outputs.put(k, (String) v));
    }

    private static byte[] vector(String name) {
        assertThat(outputs).as("the vector file").containsKey(name);
        return HEX.parseHex(outputs.get(name));
    }

    // (a) The implementation reproduces the file.

    @Test
    void theFileHoldsTheInputsOfThisTest() {
        assertThat(file.get("description")).isEqualTo(DESCRIPTION);
        assertThat(file.get("inputs")).isEqualTo(inputs());
    }

    @Test
    void theImplementationReproducesEveryOutput() {
        Map<String, String> computed = compute();
        assertThat(outputs.keySet()).as("the outputs of the file").containsExactlyElementsOf(computed.keySet());
        computed.forEach((name, value) -> assertThat(outputs.get(name)).as(name).isEqualTo(value));
    }

    @Test
    void theImplementationOpensTheRecordsOfTheFile() {
        TrafficCipher gateway = TrafficCipher.opening(vector("c2s_secret_0"));
        assertThat(open(gateway, vector("c2s_record_0"))).isEqualTo(LOGIN);
        ByteBuf update = Unpooled.wrappedBuffer(vector("c2s_key_update_record"));
        assertThat(gateway.open(ALLOC, update)).as("a key update opens to nothing").isNull();
        update.release();
        assertThat(open(gateway, vector("c2s_record_after_key_update"))).isEqualTo(HEARTBEAT);
        assertThat(open(TrafficCipher.opening(vector("s2c_secret_0")), vector("s2c_record_0"))).isEqualTo(LOGIN_ANSWER);
    }

    private static Packet open(TrafficCipher opener, byte[] record) {
        ByteBuf in = Unpooled.wrappedBuffer(record);
        try {
            ByteBuf plaintext = opener.open(ALLOC, in);
            try {
                return PacketCodec.decode(plaintext);
            } finally {
                plaintext.release();
            }
        } finally {
            in.release();
        }
    }

    // (b) The key schedule, recomputed with a plain HMAC-SHA256 HKDF (RFC 5869).

    private static byte[] hmac(byte[] key, byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** HKDF-Expand of at most one block: T(1) = HMAC(prk, info || 0x01). */
    private static byte[] expand(byte[] prk, String label, int length) throws Exception {
        return Arrays.copyOf(hmac(prk, label.getBytes(StandardCharsets.US_ASCII), new byte[] {1}), length);
    }

    @Test
    void aPlainHmacHkdfReproducesTheKeySchedule() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(vector("client_hello"));
        assertThat(sha.digest(vector("server_hello"))).as("transcript_hash").isEqualTo(vector("transcript_hash"));

        byte[] prk = hmac(vector("transcript_hash"), vector("shared_secret"));
        assertThat(prk).as("prk").isEqualTo(vector("prk"));
        assertThat(expand(prk, "janus/v1 c2s", 32)).as("c2s_secret_0").isEqualTo(vector("c2s_secret_0"));
        assertThat(expand(prk, "janus/v1 s2c", 32)).as("s2c_secret_0").isEqualTo(vector("s2c_secret_0"));
        assertThat(expand(prk, "janus/v1 resume", 32)).as("resume_secret").isEqualTo(vector("resume_secret"));
        for (String direction : new String[] {"c2s_", "s2c_"}) {
            byte[] secret = vector(direction + "secret_0");
            assertThat(expand(secret, "janus/v1 key", 32)).as(direction + "key_0")
                    .isEqualTo(vector(direction + "key_0"));
            assertThat(expand(secret, "janus/v1 iv", 12)).as(direction + "iv_0").isEqualTo(vector(direction + "iv_0"));
        }
        byte[] next = expand(vector("c2s_secret_0"), "janus/v1 key update", 32);
        assertThat(next).as("c2s_secret_1").isEqualTo(vector("c2s_secret_1"));
        assertThat(expand(next, "janus/v1 key", 32)).as("c2s_key_1").isEqualTo(vector("c2s_key_1"));
        assertThat(expand(next, "janus/v1 iv", 12)).as("c2s_iv_1").isEqualTo(vector("c2s_iv_1"));
    }

    // (c) The records, opened with a plain AES/GCM: nonce = iv XOR counter, additional data = the type byte.

    private static byte[] aesGcmOpen(byte[] key, byte[] iv, long counter, byte[] record) throws Exception {
        byte[] nonce = iv.clone();
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] ^= (byte) (counter >>> (56 - 8 * i));
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(new byte[] {record[0]});
        return cipher.doFinal(record, 1, record.length - 1);
    }

    @Test
    void aPlainAesGcmOpensTheRecords() throws Exception {
        byte[] login = aesGcmOpen(vector("c2s_key_0"), vector("c2s_iv_0"), 0, vector("c2s_record_0"));
        assertThat(vector("c2s_record_0")[0]).isEqualTo((byte) 0x17);
        assertThat(login).isEqualTo(vector("login_packet_plaintext"));
        assertThat(Packet.parseFrom(login)).isEqualTo(LOGIN);
        assertThat(LoginRequest.parseFrom(Packet.parseFrom(login).getBody()).getToken()).isEqualTo("vector-token");

        byte[] answer = aesGcmOpen(vector("s2c_key_0"), vector("s2c_iv_0"), 0, vector("s2c_record_0"));
        assertThat(answer).isEqualTo(vector("login_answer_packet_plaintext"));
        assertThat(LoginResponse.parseFrom(Packet.parseFrom(answer).getBody()).getPlayerId()).isEqualTo(42);

        byte[] update = vector("c2s_key_update_record");
        assertThat(update).hasSize(17).startsWith((byte) 0x18);
        assertThat(aesGcmOpen(vector("c2s_key_0"), vector("c2s_iv_0"), 1, update)).isEmpty();

        byte[] heartbeat = aesGcmOpen(vector("c2s_key_1"), vector("c2s_iv_1"), 0,
                vector("c2s_record_after_key_update"));
        assertThat(heartbeat).isEqualTo(vector("heartbeat_packet_plaintext"));
        assertThat(Packet.parseFrom(heartbeat)).isEqualTo(HEARTBEAT);
    }

    // (d) X25519 and Ed25519 with the JDK's providers instead of BouncyCastle.

    /** Little-endian 32 bytes to an integer, the top bit masked as RFC 7748, section 5, says for u. */
    private static BigInteger littleEndian(byte[] bytes, boolean maskTopBit) {
        byte[] be = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            be[i] = bytes[bytes.length - 1 - i];
        }
        if (maskTopBit) {
            be[0] &= 0x7F;
        }
        return new BigInteger(1, be);
    }

    private static byte[] jdkX25519(byte[] privateKey, byte[] peerPublicKey) throws Exception {
        KeyFactory factory = KeyFactory.getInstance("XDH");
        PrivateKey k = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
        PublicKey u = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                littleEndian(peerPublicKey, true)));
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(k);
        agreement.doPhase(u, true);
        return agreement.generateSecret();
    }

    private static PublicKey jdkEd25519PublicKey(byte[] encoded) throws Exception {
        boolean xOdd = (encoded[31] & 0x80) != 0;
        return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519,
                new EdECPoint(xOdd, littleEndian(encoded, true))));
    }

    private static byte[] jdkEd25519Sign(byte[] seed, byte[] message) throws Exception {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(KeyFactory.getInstance("Ed25519").generatePrivate(
                new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed)));
        signer.update(message);
        return signer.sign();
    }

    private static boolean jdkEd25519Verify(byte[] publicKey, byte[] message, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(jdkEd25519PublicKey(publicKey));
        verifier.update(message);
        return verifier.verify(signature);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[0];
        for (byte[] part : parts) {
            int at = out.length;
            out = Arrays.copyOf(out, at + part.length);
            System.arraycopy(part, 0, out, at, part.length);
        }
        return out;
    }

    @Test
    void theJdkX25519ReproducesTheEphemeralKeysAndTheSharedSecret() throws Exception {
        byte[] basePoint = new byte[32];
        basePoint[0] = 9;
        assertThat(jdkX25519(counting(0x41, 32), basePoint)).as("client_ephemeral_public_key")
                .isEqualTo(vector("client_ephemeral_public_key"));
        assertThat(jdkX25519(counting(0x61, 32), basePoint)).as("server_ephemeral_public_key")
                .isEqualTo(vector("server_ephemeral_public_key"));
        assertThat(jdkX25519(counting(0x41, 32), vector("server_ephemeral_public_key"))).as("shared_secret")
                .isEqualTo(vector("shared_secret"));
        assertThat(jdkX25519(counting(0x61, 32), vector("client_ephemeral_public_key"))).as("shared_secret")
                .isEqualTo(vector("shared_secret"));
    }

    @Test
    void theJdkEd25519ReproducesBothSignatures() throws Exception {
        byte[] certificate = vector("gateway_certificate");
        int signedLength = certificate.length - 64;
        byte[] certificateMessage = concat("janus/v1 gateway certificate\0".getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOf(certificate, signedLength));
        byte[] certificateSignature = Arrays.copyOfRange(certificate, signedLength, certificate.length);
        assertThat(jdkEd25519Sign(counting(0x01, 32), certificateMessage)).as("root signature")
                .isEqualTo(certificateSignature);
        assertThat(jdkEd25519Verify(vector("root_public_key"), certificateMessage, certificateSignature)).isTrue();
        assertThat(Arrays.copyOfRange(certificate, 2 + KEY_ID.length(), 2 + KEY_ID.length() + 32))
                .as("the certified key").isEqualTo(vector("gateway_public_key"));

        byte[] serverHello = vector("server_hello");
        int unsignedLength = serverHello.length - 64;
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(concat(vector("client_hello"),
                Arrays.copyOf(serverHello, unsignedLength)));
        byte[] handshakeMessage = concat("janus/v1 server handshake\0".getBytes(StandardCharsets.US_ASCII), hash);
        byte[] handshakeSignature = Arrays.copyOfRange(serverHello, unsignedLength, serverHello.length);
        assertThat(jdkEd25519Sign(counting(0x21, 32), handshakeMessage)).as("handshake signature")
                .isEqualTo(handshakeSignature);
        assertThat(jdkEd25519Verify(vector("gateway_public_key"), handshakeMessage, handshakeSignature)).isTrue();
    }

    // Regeneration, by hand only.

    @Test
    @EnabledIfSystemProperty(named = "janus.vectors.write", matches = "true")
    void writeTheVectorFile() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("description", DESCRIPTION);
        root.put("inputs", inputs());
        root.put("outputs", new LinkedHashMap<>(compute()));
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, Json.write(root), StandardCharsets.UTF_8);
    }

    /** Just enough JSON for the vector file: objects, strings without escapes beyond \" and \\, integers, booleans. */
    private static final class Json {

        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object parse() {
            Object value = value();
            skipSpace();
            if (at != text.length()) {
                throw error("trailing text");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            char c = text.charAt(at);
            if (c == '{') {
                return object();
            }
            if (c == '"') {
                return string();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return true;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return false;
            }
            int start = at;
            while (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '-')) {
                at++;
            }
            if (start == at) {
                throw error("unexpected '" + c + "'");
            }
            return Long.parseLong(text.substring(start, at));
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            expect('{');
            skipSpace();
            if (text.charAt(at) == '}') {
                at++;
                return map;
            }
            do {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                if (map.put(key, value()) != null) {
                    throw error("duplicate key " + key);
                }
                skipSpace();
            } while (text.charAt(at++) == ',');
            if (text.charAt(at - 1) != '}') {
                throw error("expected '}'");
            }
            return map;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            for (char c; (c = text.charAt(at++)) != '"'; ) {
                out.append(c == '\\' ? text.charAt(at++) : c);
            }
            return out.toString();
        }

        private void expect(char c) {
            if (text.charAt(at) != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private IllegalStateException error(String what) {
            return new IllegalStateException(FILE + ": " + what + " at offset " + at);
        }

        static String write(Map<String, Object> root) {
            StringBuilder out = new StringBuilder();
            write(out, root, "");
            return out.append('\n').toString();
        }

        @SuppressWarnings("unchecked")
        private static void write(StringBuilder out, Object value, String indent) {
            if (value instanceof Map) {
                out.append("{\n");
                String inner = indent + "  ";
                boolean first = true;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
                    out.append(first ? "" : ",\n").append(inner);
                    writeString(out, e.getKey());
                    out.append(": ");
                    write(out, e.getValue(), inner);
                    first = false;
                }
                out.append('\n').append(indent).append('}');
            } else if (value instanceof String) {
                writeString(out, (String) value);
            } else {
                out.append(value);
            }
        }

        private static void writeString(StringBuilder out, String s) {
            out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
    }
}
