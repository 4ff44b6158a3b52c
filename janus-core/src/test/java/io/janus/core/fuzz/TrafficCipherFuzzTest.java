package io.janus.core.fuzz;

import io.janus.testing.FuzzLifecycle;
import io.janus.testing.FuzzAllocator;
import io.janus.api.Reason;
import io.janus.core.crypto.Hkdf;
import io.janus.core.crypto.TrafficCipher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * Fuzzes {@link TrafficCipher#open} (docs/protocol.md, section 6): any record opens, exactly when it is
 * the record a sender following section 6 would send next (checked by sealing the opened plaintext again
 * with a reference AES-256-GCM written from the spec), or fails with {@code RECORD_INVALID} and leaves
 * the counter where it was, so that the sender's real next record still opens. No allocation beyond the
 * record's size; every buffer released.
 *
 * <p>Input bytes: the first byte says what the opener went through before (bits 0-1: that many packet
 * records; bit 2: then a key update; bit 3: then one more packet record; bit 4: then an empty packet
 * record), the rest is the record to open. The secret is fixed, so every input replays.
 *
 * <p>Normal run: 100,000 tries. Long run: {@code mvn -B -pl janus-core test -Dtest='io.janus.core.fuzz.**'
 * -Djanus.fuzz.tries=10000000 -Dsurefire.failIfNoSpecifiedTests=false}. A failing input is printed in
 * hex; keep it in {@code src/test/resources/fuzz-seeds/traffic-cipher/}.
 */
@AddLifecycleHook(FuzzLifecycle.class)
class TrafficCipherFuzzTest {

    static final String TARGET = "traffic-cipher";
    private static final Set<Reason> ALLOWED = Fuzz.reasons(Reason.RECORD_INVALID);
    static final byte[] SECRET = ServerHelloFuzzTest.counting(0x33);
    private static final byte[] OTHER_SECRET = ServerHelloFuzzTest.counting(0x44);
    private static final byte[] NEXT = "the real next record".getBytes(StandardCharsets.US_ASCII);

    private static final FuzzAllocator ALLOC = new FuzzAllocator();

    /** A sender written from section 6 alone: nonce {@code iv XOR counter}, the type byte as AAD. */
    static final class ReferenceSealer {
        private byte[] secret;
        private SecretKeySpec key;
        private byte[] iv;
        long counter;

        ReferenceSealer(byte[] secret) {
            install(secret.clone());
        }

        private void install(byte[] newSecret) {
            secret = newSecret;
            key = new SecretKeySpec(Hkdf.expand(secret, "janus/v1 key", 32), "AES");
            iv = Hkdf.expand(secret, "janus/v1 iv", 12);
            counter = 0;
        }

        byte[] seal(int type, byte[] plaintext) {
            return sealAt(type, plaintext, counter++);
        }

        byte[] sealAt(int type, byte[] plaintext, long at) {
            try {
                byte[] nonce = iv.clone();
                for (int i = 0; i < 8; i++) {
                    nonce[4 + i] ^= (byte) (at >>> (56 - 8 * i));
                }
                // A fresh Cipher: the JDK refuses to encrypt twice with one key and nonce on one instance,
                // and the generator seals the same counter more than once.
                Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
                gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                gcm.updateAAD(new byte[] {(byte) type});
                byte[] sealed = gcm.doFinal(plaintext);
                byte[] record = new byte[1 + sealed.length];
                record[0] = (byte) type;
                System.arraycopy(sealed, 0, record, 1, sealed.length);
                return record;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        byte[] sealKeyUpdate() {
            byte[] record = seal(TrafficCipher.TYPE_KEY_UPDATE, new byte[0]);
            update();
            return record;
        }

        void update() {
            install(Hkdf.expand(secret, "janus/v1 key update", 32));
        }
    }

    @Property(tries = 100_000)
    void openGivesTheRealRecordOrRecordInvalidWithTheCounterUnchanged(@ForAll("inputs") byte[] input,
            @ForAll Fuzz.Shape shape) {
        check(input, EnumSet.of(shape));
        Statistics.collect(Fuzz.takeOutcome());
    }

    /** The check of one input with the record in every buffer shape, for the regression seeds. */
    static void check(byte[] input) {
        check(input, EnumSet.allOf(Fuzz.Shape.class));
    }

    static void check(byte[] input, Set<Fuzz.Shape> shapes) {
        int prefix = input.length == 0 ? 0 : input[0] & 0xFF;
        byte[] record = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        Fuzz.measured(TARGET, input, 1_000_000 + 32L * input.length, () -> {
            for (Fuzz.Shape shape : shapes) {
                Fuzz.inShape(ALLOC, record, shape, buf -> checkOne(input, prefix, record, buf));
            }
            Fuzz.allReleased(TARGET, input, ALLOC);
        });
    }

    private static void checkOne(byte[] input, int prefix, byte[] record, ByteBuf buf) {
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        ReferenceSealer sender = new ReferenceSealer(SECRET);
        applyPrefix(prefix, sender, r -> {
            byte[] plain = open(opener, r);
            if (plain == null && r[0] != TrafficCipher.TYPE_KEY_UPDATE) {
                throw Fuzz.failure(TARGET, input, "a prefix record did not open", null);
            }
        });
        long counter = opener.counter();
        ALLOC.resetLargestRequest();
        ByteBuf plaintext;
        try {
            plaintext = opener.open(ALLOC, buf);
        } catch (Throwable t) {
            Fuzz.typed(TARGET, input, t, ALLOWED);
            if (opener.counter() != counter) {
                throw Fuzz.failure(TARGET, input, "a refused record moved the counter from " + counter + " to "
                        + opener.counter(), t);
            }
            plaintext = null;
            buf = null;
        }
        if (ALLOC.largestRequest() > record.length) {
            throw Fuzz.failure(TARGET, input, "opening a record of " + record.length + " bytes asked for a buffer of "
                    + ALLOC.largestRequest(), null);
        }
        if (buf != null) {
            // Opened: it must be exactly what the sender would have sent next.
            byte[] opened = plaintext == null ? new byte[0] : ByteBufUtil.getBytes(plaintext);
            if (plaintext != null) {
                plaintext.release();
            }
            int type = plaintext == null ? TrafficCipher.TYPE_KEY_UPDATE : TrafficCipher.TYPE_PACKET;
            byte[] expected = sender.seal(type, opened);
            if (!Arrays.equals(expected, record)) {
                throw Fuzz.failure(TARGET, input, "a record that the sender did not send opened (forgery)", null);
            }
            if (type == TrafficCipher.TYPE_KEY_UPDATE) {
                sender.update();
            }
            Fuzz.outcome(type == TrafficCipher.TYPE_KEY_UPDATE ? "opened a key update" : "opened a packet record");
            if (buf.isReadable()) {
                throw Fuzz.failure(TARGET, input, "an opened record was not consumed", null);
            }
        }
        // The sender's real next record opens: the failure changed nothing.
        byte[] next = open(opener, sender.seal(TrafficCipher.TYPE_PACKET, NEXT));
        if (!Arrays.equals(next, NEXT)) {
            throw Fuzz.failure(TARGET, input, "the sender's next record did not open after the fuzzed one", null);
        }
    }

    /** Runs the prefix the first input byte describes, handing each record to {@code open}. */
    static void applyPrefix(int prefix, ReferenceSealer sender, Consumer<byte[]> open) {
        for (int i = 0; i < (prefix & 3); i++) {
            open.accept(sender.seal(TrafficCipher.TYPE_PACKET, ("prefix " + i).getBytes(StandardCharsets.US_ASCII)));
        }
        if ((prefix & 4) != 0) {
            open.accept(sender.sealKeyUpdate());
        }
        if ((prefix & 8) != 0) {
            open.accept(sender.seal(TrafficCipher.TYPE_PACKET, "after the update".getBytes(StandardCharsets.US_ASCII)));
        }
        if ((prefix & 16) != 0) {
            open.accept(sender.seal(TrafficCipher.TYPE_PACKET, new byte[0]));
        }
    }

    /** Opens a record that must open; returns its plaintext, or null for a key update. */
    private static byte[] open(TrafficCipher opener, byte[] record) {
        ByteBuf in = ALLOC.untrackedHeap(record.length).writeBytes(record);
        try {
            ByteBuf plaintext = opener.open(ALLOC, in);
            if (plaintext == null) {
                return null;
            }
            try {
                return ByteBufUtil.getBytes(plaintext);
            } finally {
                plaintext.release();
            }
        } finally {
            in.release();
        }
    }

    /** What the fuzzed record is made from, at the state the prefix left. */
    enum Base { NEXT_PACKET, NEXT_KEY_UPDATE, KEY_UPDATE_WITH_CONTENT, UNKNOWN_TYPE_AUTHENTICATED, PREVIOUS_COUNTER,
        FUTURE_COUNTER, OTHER_SECRET, RANDOM }

    @Provide
    Arbitrary<byte[]> inputs() {
        Arbitrary<Integer> prefix = Arbitraries.integers().between(0, 31);
        Arbitrary<Base> base = Arbitraries.of(Base.values());
        Arbitrary<byte[]> plaintext = Fuzz.randomBytes(48);
        Arbitrary<Integer> type = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(0x17, 0x18)),
                Tuple.of(1, Arbitraries.integers().between(0, 255)));
        Arbitrary<List<Mutation>> mutations = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.<Mutation>of())),
                Tuple.of(3, Mutation.some()));
        return Combinators.combine(prefix, base, plaintext, type, mutations)
                .as((p, b, text, t, m) -> {
                    byte[] record = Mutation.applyAll(record(p, b, text, t), m);
                    byte[] input = new byte[1 + record.length];
                    input[0] = p.byteValue();
                    System.arraycopy(record, 0, input, 1, record.length);
                    return input;
                });
    }

    private static byte[] record(int prefix, Base base, byte[] text, int type) {
        ReferenceSealer sender = new ReferenceSealer(SECRET);
        applyPrefix(prefix, sender, r -> { });
        switch (base) {
            case NEXT_PACKET:
                return sender.sealAt(TrafficCipher.TYPE_PACKET, text, sender.counter);
            case NEXT_KEY_UPDATE:
                return sender.sealAt(TrafficCipher.TYPE_KEY_UPDATE, new byte[0], sender.counter);
            case KEY_UPDATE_WITH_CONTENT:
                return sender.sealAt(TrafficCipher.TYPE_KEY_UPDATE, text.length == 0 ? new byte[1] : text, sender.counter);
            case UNKNOWN_TYPE_AUTHENTICATED:
                return sender.sealAt(type == 0x17 || type == 0x18 ? 0x19 : type, text, sender.counter);
            case PREVIOUS_COUNTER:
                return sender.sealAt(TrafficCipher.TYPE_PACKET, text, sender.counter - 1);
            case FUTURE_COUNTER:
                return sender.sealAt(TrafficCipher.TYPE_PACKET, text, sender.counter + 1);
            case OTHER_SECRET:
                return new ReferenceSealer(OTHER_SECRET).sealAt(type, text, sender.counter);
            case RANDOM:
            default:
                byte[] random = text.clone();
                if (random.length > 0) {
                    random[0] = (byte) type;
                }
                return random;
        }
    }
}
