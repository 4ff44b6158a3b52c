package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import io.janus.api.Reason;
import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayCertificate;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.SigningKey;
import io.janus.core.protocol.ClientHello;
import io.janus.core.protocol.ServerHello;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes {@link ServerHello#parse} and {@link ServerHello#verify} (docs/protocol.md, sections 3 and 4.2),
 * the client's view of the gateway: any frame gives a ServerHello that verifies, exactly when it is one
 * of the genuine ServerHellos below, or a {@code ProtocolException} with {@code HANDSHAKE_FAILED},
 * {@code UNSUPPORTED_VERSION} or {@code CERTIFICATE_INVALID}. The material is fixed (seeds as in the
 * test vectors, a fixed clock), so every genuine ServerHello is a constant and a failing input replays.
 *
 * <p>Normal run: 100,000 tries. Long run: {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**'
 * -Djanus.fuzz.tries=10000000 -Dsurefire.failIfNoSpecifiedTests=false}. A failing input is printed in
 * hex; keep it in {@code src/test/resources/fuzz-seeds/server-hello/}.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class ServerHelloFuzzTest {

    static final String TARGET = "server-hello";
    private static final Set<Reason> ALLOWED = Fuzz.reasons(Reason.HANDSHAKE_FAILED, Reason.UNSUPPORTED_VERSION,
            Reason.CERTIFICATE_INVALID);

    static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    static final Duration SKEW = Duration.ofSeconds(300);
    static final SigningKey ROOT = SigningKey.fromSeed(counting(0x01));
    static final SigningKey GATEWAY_KEY = SigningKey.fromSeed(counting(0x21));
    static final SigningKey OTHER_KEY = SigningKey.fromSeed(counting(0x51));
    static final ClientHello CLIENT_HELLO =
            ClientHello.create(EphemeralKey.fromPrivateKey(counting(0x41)), counting(0x81), true);

    /** ServerHellos that verify against {@link #CLIENT_HELLO}, {@link #ROOT} and {@link #NOW}. */
    static final List<byte[]> GENUINE = new ArrayList<>();
    /** Well-formed ServerHellos that must not verify: another root, another window, another hello. */
    static final List<byte[]> REFUSED = new ArrayList<>();

    static {
        EphemeralKey ephemeral = EphemeralKey.fromPrivateKey(counting(0x61));
        String[] keyIds = {"vector-gw", "g", "~".repeat(GatewayCertificate.MAX_KEY_ID_LENGTH)};
        int[] thresholds = {0, 1024, Integer.MAX_VALUE};
        for (int i = 0; i < keyIds.length; i++) {
            GatewayIdentity identity = identity(ROOT, keyIds[i], 1_700_000_000L, 1_900_000_000L);
            GENUINE.add(ServerHello.create(CLIENT_HELLO, ephemeral, counting(0xA1 + i), thresholds[i], identity).encoded());
        }
        GatewayIdentity expired = identity(ROOT, "expired", 1_700_000_000L, 1_800_000_000L - 301);
        GatewayIdentity early = identity(ROOT, "early", 1_800_000_000L + 301, 1_900_000_000L);
        GatewayIdentity foreign = identity(OTHER_KEY, "foreign-root", 1_700_000_000L, 1_900_000_000L);
        GatewayIdentity genuine = identity(ROOT, "vector-gw", 1_700_000_000L, 1_900_000_000L);
        ClientHello otherHello = ClientHello.create(ephemeral, counting(0x91), false);
        REFUSED.add(ServerHello.create(CLIENT_HELLO, ephemeral, counting(0xB1), 0, expired).encoded());
        REFUSED.add(ServerHello.create(CLIENT_HELLO, ephemeral, counting(0xB2), 0, early).encoded());
        REFUSED.add(ServerHello.create(CLIENT_HELLO, ephemeral, counting(0xB3), 0, foreign).encoded());
        REFUSED.add(ServerHello.create(otherHello, ephemeral, counting(0xB4), 0, genuine).encoded());
        REFUSED.add(signedBy(OTHER_KEY, GENUINE.get(0))); // a signature by a key the certificate does not name
    }

    private static final FuzzAllocator ALLOC = new FuzzAllocator();

    static byte[] counting(int first) {
        byte[] out = new byte[32];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (first + i);
        }
        return out;
    }

    private static GatewayIdentity identity(SigningKey root, String keyId, long notBefore, long notAfter) {
        return GatewayIdentity.of(GATEWAY_KEY, GatewayCertificate.issue(root, keyId, GATEWAY_KEY.publicKey(),
                Instant.ofEpochSecond(notBefore), Instant.ofEpochSecond(notAfter)));
    }

    /** Re-signs a ServerHello as section 4.2 says, with another key. */
    private static byte[] signedBy(SigningKey key, byte[] serverHello) {
        int unsigned = serverHello.length - SigningKey.SIGNATURE_LENGTH;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(CLIENT_HELLO.encoded());
            sha.update(serverHello, 0, unsigned);
            byte[] context = "janus/v1 server handshake\0".getBytes(StandardCharsets.US_ASCII);
            byte[] message = ByteBuffer.allocate(context.length + 32).put(context).put(sha.digest()).array();
            byte[] out = serverHello.clone();
            System.arraycopy(key.sign(message), 0, out, unsigned, SigningKey.SIGNATURE_LENGTH);
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 100_000)
    void parseAndVerifyGiveAGenuineHelloOrATypedError(@ForAll("frames") byte[] frame, @ForAll Fuzz.Shape shape) {
        check(frame, EnumSet.of(shape));
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one frame in every buffer shape, for the regression seeds. */
    static void check(byte[] input) {
        check(input, EnumSet.allOf(Fuzz.Shape.class));
    }

    static void check(byte[] input, Set<Fuzz.Shape> shapes) {
        Fuzz.measured(TARGET, input, 1_000_000 + 32L * input.length, () -> {
            checkOnce(input, shapes);
            Fuzz.allReleased(TARGET, input, ALLOC);
        });
    }

    private static void checkOnce(byte[] input, Set<Fuzz.Shape> shapes) {
        boolean genuine = GENUINE.stream().anyMatch(g -> Arrays.equals(g, input));
        boolean[] first = {true};
        for (Fuzz.Shape shape : shapes) {
            Fuzz.inShape(ALLOC, input, shape, frame -> {
            ServerHello hello;
            try {
                hello = ServerHello.parse(frame);
            } catch (Throwable t) {
                Reason reason = Fuzz.typed(TARGET, input, t, ALLOWED);
                if (genuine) {
                    throw Fuzz.failure(TARGET, input, "a genuine ServerHello refused with " + reason, t);
                }
                return;
            }
            checkFields(input, hello);
            if (!first[0]) {
                return; // verifying is the slow part, and it does not look at the buffer
            }
            first[0] = false;
            try {
                hello.verify(CLIENT_HELLO, List.of(ROOT.publicKey()), NOW, SKEW);
            } catch (Throwable t) {
                Reason reason = Fuzz.typed(TARGET, input, t, Fuzz.reasons(Reason.HANDSHAKE_FAILED, Reason.CERTIFICATE_INVALID));
                Fuzz.outcome("parsed, then verify: " + reason);
                if (genuine) {
                    throw Fuzz.failure(TARGET, input, "a genuine ServerHello did not verify: " + reason, t);
                }
                return;
            }
            if (!genuine) {
                throw Fuzz.failure(TARGET, input, "a ServerHello that is not genuine verified", null);
            }
            Fuzz.outcome("verified");
            });
        }
    }

    /** What parse accepted must be what the frame says (section 4.2). */
    private static void checkFields(byte[] input, ServerHello hello) {
        int c = ((input[72] & 0xFF) << 8) | (input[73] & 0xFF);
        int threshold = (input[2] & 1) == 0 ? 0 : ByteBuffer.wrap(input, 68, 4).getInt();
        if (input.length != 74 + c + 64 || input[0] != ServerHello.TYPE || input[1] != 1 || (input[2] & ~1) != 0
                || input[3] != 0 || !Arrays.equals(hello.encoded(), input)
                || !Arrays.equals(hello.certificate().encoded(), Arrays.copyOfRange(input, 74, 74 + c))
                || !Arrays.equals(hello.publicKey(), Arrays.copyOfRange(input, 4, 36))
                || hello.compressionThreshold() != threshold) {
            throw Fuzz.failure(TARGET, input, "parse accepted a frame that is not a well-formed ServerHello, or "
                    + "misread it", null);
        }
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> bases = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(GENUINE)),
                Tuple.of(1, Arbitraries.of(REFUSED)));
        return Arbitraries.frequencyOf(
                Tuple.of(1, Fuzz.randomBytes(300)),
                Tuple.of(1, bases.map(byte[]::clone)),
                Tuple.of(8, Combinators.combine(bases, Mutation.some()).as(Mutation::applyAll)));
    }
}
