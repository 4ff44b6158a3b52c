package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.janus.api.Kick;
import io.janus.api.Packet;
import io.janus.api.PacketFlag;
import io.janus.api.Reason;
import io.janus.api.SystemSeq;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.janus.core.protocol.ClientHello;
import io.janus.core.protocol.HandshakeError;
import io.janus.core.protocol.PacketCodec;
import io.janus.core.protocol.SecureServerHandler;
import io.janus.core.protocol.ServerHello;
import io.janus.core.protocol.SystemPackets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes {@link SecureServerHandler}, the gateway's handshake and record state machine (docs/protocol.md,
 * sections 4 to 7), with a {@link PacketCodec} behind it as in the gateway's pipeline, on an
 * {@link EmbeddedChannel}. A fuzz client plays a program of steps against it: ClientHellos (genuine,
 * mutated, with low-order X25519 keys), records sealed under the keys it derived from the gateway's
 * ServerHello (packets, compressed bodies, key updates; then mutated), replays, raw frames, and kicks
 * written by the session layer.
 *
 * <p>Every step has one of the outcomes the protocol allows, predicted by a model of the handler: a
 * typed {@code ProtocolException} (1xx), packets passed on, or frames written back that are a ServerHello
 * (verified against the root key), a HandshakeError carrying the kick's reason, or a record that opens to
 * the kick. Never an untyped exception; after a failure nothing more is read; every buffer is released;
 * no allocation beyond a few times the frames and the inflate limit.
 *
 * <p>Input bytes: the program, a sequence of {@code op (1 byte), length (2 bytes), payload}; see
 * {@link Step} and {@code src/test/resources/fuzz-seeds/README.md}. Edge-case mixing is off: jqwik's
 * combined edge cases of a list of steps crowd out the genuine handshakes that reach the record layer,
 * and the generators name their extreme values themselves.
 *
 * <p>Normal run: 20,000 tries, not 100,000: a try with a handshake costs about 0.6 ms, mostly two X25519
 * agreements (gateway and fuzz client) and an Ed25519 signature, and 100,000 do not fit the 15 s budget.
 * Long run: {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**'
 * -Djanus.fuzz.tries=10000000 -Dsurefire.failIfNoSpecifiedTests=false}. A failing program is printed in
 * hex; keep it in {@code src/test/resources/fuzz-seeds/secure-server/}.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class SecureServerHandlerFuzzTest {

    static final String TARGET = "secure-server";
    static final int THRESHOLD = CompressionFuzzTest.THRESHOLD;
    static final int LIMIT = CompressionFuzzTest.LIMIT;
    /** Small, so that the gateway's own key updates happen within a program. */
    static final long KEY_UPDATE_INTERVAL = 2;

    private static final SigningKey ROOT = SigningKey.generate();
    private static final GatewayIdentity IDENTITY = GatewayIdentity.generate(ROOT, "fuzz", Duration.ofDays(1));
    private static final EphemeralKey CLIENT_KEY = EphemeralKey.fromPrivateKey(ServerHelloFuzzTest.counting(0x41));
    private static final byte[] CLIENT_RANDOM = ServerHelloFuzzTest.counting(0x81);
    private static final int COMPRESSED = PacketFlag.PACKET_FLAG_COMPRESSED_VALUE;

    /**
     * X25519 public keys of small order (RFC 7748, section 6.1; the list libsodium refuses): 0, 1, the
     * two points of order 8, p - 1, p and p + 1, little-endian. The agreement with any of them is zero.
     */
    static final List<byte[]> LOW_ORDER = List.of(
            Fuzz.unhex("0000000000000000000000000000000000000000000000000000000000000000"),
            Fuzz.unhex("0100000000000000000000000000000000000000000000000000000000000000"),
            Fuzz.unhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
            Fuzz.unhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
            Fuzz.unhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            Fuzz.unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            Fuzz.unhex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));

    /** The failures the handler raises itself, after which it reads nothing more. */
    private static final Set<Reason> OWN_FAILURES =
            Set.of(Reason.HANDSHAKE_FAILED, Reason.UNSUPPORTED_VERSION, Reason.RECORD_INVALID);

    private static final FuzzAllocator ALLOC = new FuzzAllocator();
    private static int handshakes;

    /** Packets in a failure message: the fields, not a body of kilobytes. */
    static String describe(List<?> messages) {
        List<String> out = new ArrayList<>();
        for (Object m : messages) {
            if (m instanceof Packet) {
                Packet p = (Packet) m;
                out.add("Packet{module " + p.getModule() + ", seq " + p.getSeq() + ", index " + p.getIndex()
                        + ", obj " + p.getObj() + ", flags " + p.getFlags() + ", status " + p.getStatus() + ", body "
                        + p.getBody().size() + " bytes}");
            } else {
                out.add(String.valueOf(m));
            }
        }
        return out.toString();
    }

    /** One step of a program; the opcodes are the first byte of its encoding. */
    enum Op { RAW, HELLO, RECORD, KEY_UPDATE, REPLAY, KICK }

    /**
     * A step: RAW sends {@code data} as a frame; HELLO sends a ClientHello with flags {@code arg} and the
     * client's key (key 0) or low-order key {@code key - 1}, then applies the mutation; RECORD seals
     * {@code data} as a record of type {@code arg} under the client's keys, then mutates it; KEY_UPDATE
     * seals a key update, then mutates it; REPLAY sends again the frame sent {@code arg + 1} frames ago;
     * KICK has the session layer write a kick with reason code {@code arg}.
     */
    record Step(Op op, int arg, int key, Mutation mutation, byte[] data) {

        void encode(ByteBuffer out) {
            int start = out.position();
            out.put((byte) op.ordinal()).putShort((short) 0);
            switch (op) {
                case RAW:
                    out.put(data);
                    break;
                case HELLO:
                    out.put((byte) arg).put((byte) key);
                    mutation.encode(out);
                    break;
                case RECORD:
                    out.put((byte) arg);
                    mutation.encode(out);
                    out.put(data);
                    break;
                case KEY_UPDATE:
                    mutation.encode(out);
                    break;
                case REPLAY:
                    out.put((byte) arg);
                    break;
                case KICK:
                    out.putShort((short) arg);
                    break;
                default:
                    throw new AssertionError(op);
            }
            out.putShort(start + 1, (short) (out.position() - start - 3));
        }

        int encodedLength() {
            return 3 + switch (op) {
                case RAW -> data.length;
                case HELLO -> 2 + Mutation.ENCODED_LENGTH;
                case RECORD -> 1 + Mutation.ENCODED_LENGTH + data.length;
                case KEY_UPDATE -> Mutation.ENCODED_LENGTH;
                case REPLAY -> 1;
                case KICK -> 2;
            };
        }

        static List<Step> decodeAll(byte[] program) {
            ByteBuffer in = ByteBuffer.wrap(program);
            List<Step> steps = new ArrayList<>();
            while (in.remaining() >= 3) {
                Op op = Op.values()[Math.floorMod(in.get(), Op.values().length)];
                int length = Math.min(in.getShort() & 0xFFFF, in.remaining());
                ByteBuffer p = in.slice().limit(length);
                in.position(in.position() + length);
                int arg = 0;
                int key = 0;
                Mutation m = Mutation.NONE;
                byte[] data = new byte[0];
                switch (op) {
                    case RAW:
                        data = new byte[p.remaining()];
                        p.get(data);
                        break;
                    case HELLO:
                        arg = p.hasRemaining() ? p.get() & 0xFF : 0;
                        key = p.hasRemaining() ? p.get() & 0xFF : 0;
                        m = Mutation.decode(p);
                        break;
                    case RECORD:
                        arg = p.hasRemaining() ? p.get() & 0xFF : TrafficCipher.TYPE_PACKET;
                        m = Mutation.decode(p);
                        data = new byte[p.remaining()];
                        p.get(data);
                        break;
                    case KEY_UPDATE:
                        m = Mutation.decode(p);
                        break;
                    case REPLAY:
                        arg = p.hasRemaining() ? p.get() & 0xFF : 0;
                        break;
                    case KICK:
                        arg = p.remaining() >= 2 ? p.getShort() & 0xFFFF : 0;
                        break;
                    default:
                        throw new AssertionError(op);
                }
                steps.add(new Step(op, arg, key, m, data));
            }
            return steps;
        }

        static byte[] encodeAll(List<Step> steps) {
            ByteBuffer out = ByteBuffer.allocate(steps.stream().mapToInt(Step::encodedLength).sum());
            for (Step step : steps) {
                step.encode(out);
            }
            return out.array();
        }

        @Override
        public String toString() {
            return op + "(" + arg + (op == Op.HELLO ? ", key " + key : "")
                    + (mutation.kind() == Mutation.Kind.NONE ? "" : ", " + mutation)
                    + (data.length == 0 ? "" : ", " + Fuzz.hex(data)) + ")";
        }
    }

    @Property(tries = 20_000, edgeCases = EdgeCasesMode.NONE)
    void everyFrameSequenceHasATypedOutcome(@ForAll("programs") List<Step> steps) {
        check(Step.encodeAll(steps));
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one program, shared with the regression seeds. */
    static void check(byte[] program) {
        List<Step> steps = Step.decodeAll(program);
        Fuzz.measured(TARGET, program, 4_000_000 + 8L * LIMIT + 64L * program.length, () -> new Run(program).play(steps));
    }

    /** The model of the gateway end and the fuzz client, for one program. */
    private static final class Run {
        final byte[] program;
        final EmbeddedChannel channel = new EmbeddedChannel();
        final List<byte[]> sent = new ArrayList<>();
        // The gateway, as the model sees it.
        boolean established;
        boolean readFailed;
        int compression;
        // The client's keys: null until a ServerHello arrived for a genuine hello.
        TrafficCipherFuzzTest.ReferenceSealer sealer;
        TrafficCipher opener;
        boolean genuine;

        Run(byte[] program) {
            this.program = program;
            channel.config().setAllocator(ALLOC);
            channel.pipeline().addLast(SecureServerHandler.name(),
                    new SecureServerHandler(IDENTITY, THRESHOLD, LIMIT, KEY_UPDATE_INTERVAL));
            channel.pipeline().addLast(PacketCodec.NAME, PacketCodec.INSTANCE);
        }

        AssertionError fail(String what, Throwable cause) {
            return Fuzz.failure(TARGET, program, what + "\n  program: " + Step.decodeAll(program), cause);
        }

        void play(List<Step> steps) {
            boolean done = false;
            try {
                for (int i = 0; i < steps.size(); i++) {
                    Step step = steps.get(i);
                    try {
                        if (step.op() == Op.KICK) {
                            kick(step.arg());
                        } else {
                            inbound(step);
                        }
                    } catch (AssertionError e) {
                        throw e;
                    } catch (Throwable t) {
                        throw fail("step " + i + " " + step + " broke the harness: " + t, t);
                    }
                }
                try {
                    channel.finishAndReleaseAll();
                } catch (Throwable t) {
                    throw fail("closing the channel threw " + t, t);
                }
                done = true;
            } finally {
                if (!done) {
                    try {
                        channel.finishAndReleaseAll();
                    } catch (Throwable ignored) {
                        // The failed check's own error is the one to report.
                    }
                }
            }
            Fuzz.allReleased(TARGET, program, ALLOC);
        }

        /**
         * Sends the frame of one step and checks what happened against the model. {@code meant} is the
         * record the client sealed before the step's mutation (null for raw frames, hellos and replays).
         */
        void inbound(Step step) {
            byte[] frame;
            byte[] meant = null;
            byte[] plaintext = null;
            int type = -1;
            switch (step.op()) {
                case RAW:
                    frame = step.data();
                    break;
                case HELLO: {
                    byte[] hello = ClientHello.create(CLIENT_KEY, CLIENT_RANDOM, false).encoded();
                    hello[2] = (byte) step.arg();
                    if (step.key() > 0) {
                        System.arraycopy(LOW_ORDER.get((step.key() - 1) % LOW_ORDER.size()), 0, hello, 4, 32);
                    }
                    frame = step.mutation().apply(hello);
                    break;
                }
                case RECORD:
                case KEY_UPDATE: {
                    type = step.op() == Op.KEY_UPDATE ? TrafficCipher.TYPE_KEY_UPDATE : step.arg();
                    plaintext = step.op() == Op.KEY_UPDATE ? new byte[0] : step.data();
                    TrafficCipherFuzzTest.ReferenceSealer s = sealer != null ? sealer
                            : new TrafficCipherFuzzTest.ReferenceSealer(new byte[32]);
                    meant = s.seal(type, plaintext);
                    if (type == TrafficCipher.TYPE_KEY_UPDATE && plaintext.length == 0) {
                        s.update();
                    }
                    frame = step.mutation().apply(meant);
                    break;
                }
                case REPLAY:
                    if (sent.isEmpty()) {
                        return;
                    }
                    frame = sent.get(Math.max(0, sent.size() - 1 - step.arg()));
                    break;
                default:
                    throw new AssertionError(step.op());
            }
            sent.add(frame);
            Throwable thrown = null;
            ByteBuf buf = ALLOC.untrackedHeap(frame.length).writeBytes(frame);
            try {
                channel.writeInbound(buf);
            } catch (Throwable t) {
                thrown = t;
            }
            if (buf.refCnt() != 0) {
                buf.release(buf.refCnt());
                throw fail("the handler did not release an inbound frame", null);
            }
            List<Object> passed = new ArrayList<>();
            for (Object m; (m = channel.readInbound()) != null; ) {
                passed.add(m);
            }
            List<byte[]> written = drainOutbound();
            try {
                expect(step, frame, meant, type, plaintext, thrown, passed, written);
            } finally {
                for (Object m : passed) {
                    ReferenceCountUtil.release(m);
                }
            }
        }

        void expect(Step step, byte[] frame, byte[] meant, int type, byte[] plaintext, Throwable thrown,
                List<Object> passed, List<byte[]> written) {
            if (readFailed) {
                if (thrown != null || !passed.isEmpty() || !written.isEmpty()) {
                    throw fail("a frame after the failure was read: " + thrown + ", passed on " + describe(passed)
                            + ", wrote " + written.size() + " frames", thrown);
                }
                return;
            }
            if (!established) {
                expectHello(frame, thrown, passed, written);
                return;
            }
            if (!written.isEmpty()) {
                throw fail("an inbound record made the gateway write " + written.size() + " frames", thrown);
            }
            boolean intact = meant != null && Arrays.equals(frame, meant) && genuine;
            if (!intact) {
                // Anything but the client's own intact record, under keys the gateway shares.
                expectFailure(thrown, Reason.RECORD_INVALID, passed);
                return;
            }
            if (type == TrafficCipher.TYPE_KEY_UPDATE && plaintext.length == 0) {
                expectNothing(thrown, passed);
                return;
            }
            if (type != TrafficCipher.TYPE_PACKET) {
                expectFailure(thrown, Reason.RECORD_INVALID, passed);
                return;
            }
            Packet packet;
            try {
                packet = Packet.parseFrom(plaintext);
            } catch (InvalidProtocolBufferException e) {
                expectFailure(thrown, Reason.MALFORMED_PACKET, passed);
                return;
            }
            if ((packet.getFlags() & COMPRESSED) == 0) {
                expectPacket(thrown, passed, packet);
                return;
            }
            if (compression == 0) {
                expectFailure(thrown, Reason.BODY_TOO_LARGE, passed);
                return;
            }
            CompressionFuzzTest.Outcome inflated = CompressionFuzzTest.reference(packet.getBody().toByteArray());
            if (inflated.failure() != null) {
                expectFailure(thrown, inflated.failure(), passed);
                return;
            }
            expectPacket(thrown, passed, packet.toBuilder().setFlags(packet.getFlags() & ~COMPRESSED)
                    .setBody(ByteString.copyFrom(inflated.body())).build());
        }

        /** Before the handshake: the frame is read as a ClientHello (section 4.1). */
        void expectHello(byte[] frame, Throwable thrown, List<Object> passed, List<byte[]> written) {
            boolean wellFormed = frame.length == ClientHello.LENGTH && frame[0] == ClientHello.TYPE && frame[1] == 1
                    && (frame[2] & ~ClientHello.FLAG_COMPRESSION) == 0 && frame[3] == 0;
            if (!wellFormed) {
                Reason reason = frame.length >= 2 && frame[0] == ClientHello.TYPE && frame[1] != 1
                        ? Reason.UNSUPPORTED_VERSION : Reason.HANDSHAKE_FAILED;
                if (!written.isEmpty()) {
                    throw fail("a refused ClientHello was answered with " + written.size() + " frames", thrown);
                }
                expectFailure(thrown, reason, passed);
                return;
            }
            byte[] key = Arrays.copyOfRange(frame, 4, 36);
            key[31] &= 0x7F; // X25519 ignores the top bit (RFC 7748, section 5)
            if (LOW_ORDER.stream().anyMatch(k -> Arrays.equals(k, key))) {
                if (!written.isEmpty()) {
                    throw fail("a ClientHello with a low-order key was answered", thrown);
                }
                expectFailure(thrown, Reason.HANDSHAKE_FAILED, passed);
                return;
            }
            expectNothing(thrown, passed);
            if (written.size() != 1) {
                throw fail("a well-formed ClientHello was answered with " + written.size() + " frames", null);
            }
            ClientHello hello = ClientHello.parse(Unpooled.wrappedBuffer(frame));
            ServerHello serverHello;
            try {
                serverHello = ServerHello.parse(Unpooled.wrappedBuffer(written.get(0)));
                // Ed25519 costs two verifications; every 16th handshake is enough to catch a wrong signature.
                if (handshakes++ % 16 == 0) {
                    serverHello.verify(hello, List.of(ROOT.publicKey()), Instant.now(), Duration.ofSeconds(300));
                }
            } catch (RuntimeException e) {
                throw fail("the gateway's ServerHello does not verify: " + e, e);
            }
            int expectedThreshold = hello.acceptsCompression() ? THRESHOLD : 0;
            if (serverHello.compressionThreshold() != expectedThreshold
                    || !Arrays.equals(serverHello.certificate().encoded(), IDENTITY.certificate().encoded())) {
                throw fail("the ServerHello offers threshold " + serverHello.compressionThreshold() + " (expected "
                        + expectedThreshold + ") or another certificate", null);
            }
            established = true;
            Fuzz.outcome("handshake");
            compression = expectedThreshold;
            genuine = Arrays.equals(hello.publicKey(), CLIENT_KEY.publicKey());
            if (genuine) {
                KeySchedule keys = KeySchedule.derive(CLIENT_KEY.agree(serverHello.publicKey()),
                        serverHello.transcriptHash(hello));
                sealer = new TrafficCipherFuzzTest.ReferenceSealer(keys.clientToServerSecret());
                opener = TrafficCipher.opening(keys.serverToClientSecret());
            }
        }

        void expectNothing(Throwable thrown, List<Object> passed) {
            if (thrown != null) {
                throw fail("unexpected failure: " + thrown, thrown);
            }
            if (!passed.isEmpty()) {
                throw fail("passed on " + describe(passed) + " (expected nothing)", null);
            }
        }

        void expectPacket(Throwable thrown, List<Object> passed, Packet packet) {
            if (thrown != null) {
                throw fail("refused an intact record holding " + describe(List.of(packet)) + ": " + thrown, thrown);
            }
            if (passed.size() != 1 || !packet.equals(passed.get(0))) {
                throw fail("passed on " + describe(passed) + " (expected " + describe(List.of(packet)) + ")", null);
            }
            Fuzz.outcome(genuine ? "packets passed" : "packets passed, not genuine");
        }

        void expectFailure(Throwable thrown, Reason reason, List<Object> passed) {
            if (thrown == null) {
                throw fail("no failure (expected " + reason + "); passed on " + describe(passed), null);
            }
            Reason got = Fuzz.typed(TARGET, program, thrown, Set.of(reason));
            if (!passed.isEmpty()) {
                throw fail("passed on " + describe(passed) + " and failed with " + got, thrown);
            }
            // The handler stops reading after its own failures. MALFORMED_PACKET and BODY_TOO_LARGE come
            // from the decoders behind it, through exceptionCaught: the record layer goes on opening
            // records and the session layer, which closes the session, ignores what arrives after.
            readFailed = OWN_FAILURES.contains(got);
        }

        /** The session layer kicks: a HandshakeError before the handshake, a sealed KICK after it. */
        void kick(int code) {
            Reason reason = Reason.forNumber(code);
            if (reason == null || reason == Reason.UNRECOGNIZED) {
                reason = Reason.PROTOCOL_VIOLATION;
            }
            Packet kick = SystemPackets.kick(reason, "fuzz kick");
            try {
                channel.writeOutbound(kick);
            } catch (Throwable t) {
                throw fail("writing a kick threw " + t, t);
            }
            List<byte[]> written = drainOutbound();
            if (!established) {
                if (written.size() != 1 || !HandshakeError.is(Unpooled.wrappedBuffer(written.get(0)))) {
                    throw fail("a kick before the handshake wrote " + written.size() + " frames (expected a HandshakeError)", null);
                }
                HandshakeError error = HandshakeError.parse(Unpooled.wrappedBuffer(written.get(0)));
                if (error.reason() != reason || !error.message().equals("fuzz kick")) {
                    throw fail("the kick " + reason + " became " + error, null);
                }
                return;
            }
            if (written.isEmpty() || written.size() > 2) {
                throw fail("a kick after the handshake wrote " + written.size() + " frames", null);
            }
            if (!genuine) {
                for (byte[] record : written) {
                    if (record.length < TrafficCipher.OVERHEAD
                            || (record[0] != TrafficCipher.TYPE_PACKET && record[0] != TrafficCipher.TYPE_KEY_UPDATE)) {
                        throw fail("a kick after the handshake wrote a frame that is not a record", null);
                    }
                }
                return;
            }
            List<Packet> packets = new ArrayList<>();
            for (byte[] record : written) {
                ByteBuf in = Unpooled.wrappedBuffer(record);
                ByteBuf plain;
                try {
                    plain = opener.open(ALLOC, in);
                } catch (RuntimeException e) {
                    throw fail("the client cannot open the gateway's record: " + e, e);
                }
                if (plain != null) {
                    try {
                        packets.add(PacketCodec.decode(plain));
                    } finally {
                        plain.release();
                    }
                }
            }
            if (packets.size() != 1 || !SystemPackets.is(packets.get(0), SystemSeq.KICK)) {
                throw fail("a kick after the handshake reached the client as " + describe(packets), null);
            }
            try {
                Kick got = Kick.parseFrom(packets.get(0).getBody());
                if (got.getReason() != reason || !got.getMessage().equals("fuzz kick")) {
                    throw fail("the kick " + reason + " reached the client as " + got, null);
                }
            } catch (InvalidProtocolBufferException e) {
                throw fail("the kick's body does not parse", e);
            }
        }

        List<byte[]> drainOutbound() {
            List<byte[]> frames = new ArrayList<>();
            for (Object m; (m = channel.readOutbound()) != null; ) {
                if (!(m instanceof ByteBuf)) {
                    ReferenceCountUtil.release(m);
                    throw fail("the gateway wrote " + m + " (expected frames)", null);
                }
                ByteBuf buf = (ByteBuf) m;
                frames.add(ByteBufUtil.getBytes(buf));
                buf.release();
            }
            return frames;
        }
    }

    @Provide
    Arbitrary<List<Step>> programs() {
        Arbitrary<Step> genuineHello = Arbitraries.of(0, 1).map(flags -> new Step(Op.HELLO, flags, 0, Mutation.NONE, new byte[0]));
        Arbitrary<Step> otherHello = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(0, 1)), Tuple.of(1, Arbitraries.integers().between(0, 255))),
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 7))),
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(Mutation.NONE)), Tuple.of(3, Mutation.any())))
                .as((flags, key, m) -> new Step(Op.HELLO, flags, key, m, new byte[0]));
        Arbitrary<Step> raw = Fuzz.randomBytes(80).map(b -> new Step(Op.RAW, 0, 0, Mutation.NONE, b));
        Arbitrary<Step> kick = Arbitraries.of(Reason.values()).filter(r -> r != Reason.UNRECOGNIZED)
                .map(r -> new Step(Op.KICK, r.getNumber(), 0, Mutation.NONE, new byte[0]));
        Arbitrary<byte[]> plaintext = Arbitraries.frequencyOf(
                Tuple.of(3, PacketCodecFuzzTest.packets()),
                Tuple.of(3, CompressionFuzzTest.flaggedPackets()),
                Tuple.of(1, Fuzz.randomBytes(40)));
        Arbitrary<Integer> type = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just((int) TrafficCipher.TYPE_PACKET)),
                Tuple.of(1, Arbitraries.just((int) TrafficCipher.TYPE_KEY_UPDATE)),
                Tuple.of(1, Arbitraries.integers().between(0, 255)));
        Arbitrary<Mutation> recordMutation = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(Mutation.NONE)), Tuple.of(1, Mutation.any()));
        Arbitrary<Step> record = Combinators.combine(type, recordMutation, plaintext)
                .as((t, m, p) -> new Step(Op.RECORD, t, 0, m, p));
        Arbitrary<Step> keyUpdate = recordMutation.map(m -> new Step(Op.KEY_UPDATE, 0, 0, m, new byte[0]));
        Arbitrary<Step> replay = Arbitraries.integers().between(0, 3).map(n -> new Step(Op.REPLAY, n, 0, Mutation.NONE, new byte[0]));
        Arbitrary<Step> first = Arbitraries.frequencyOf(
                Tuple.of(12, genuineHello), Tuple.of(4, otherHello), Tuple.of(1, raw), Tuple.of(1, kick));
        Arbitrary<Step> later = Arbitraries.frequencyOf(
                Tuple.of(20, record), Tuple.of(3, keyUpdate), Tuple.of(1, replay), Tuple.of(1, raw),
                Tuple.of(1, otherHello), Tuple.of(1, genuineHello), Tuple.of(2, kick));
        return Combinators.combine(first, later.list().ofMaxSize(8)).as((f, rest) -> {
            List<Step> steps = new ArrayList<>(rest.size() + 1);
            steps.add(f);
            steps.addAll(rest);
            return steps;
        });
    }

}
