package io.janus.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.janus.api.Reason;
import io.janus.core.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * {@link TrafficCipher}: the records of docs/protocol.md, section 6. Every record is checked against a
 * plain javax.crypto AES-256-GCM written here (nonce {@code iv XOR counter}, the type byte as additional
 * data), every failure is {@link Reason#RECORD_INVALID} and leaves the counter where it was, and key
 * updates (section 6.2) switch both ends to the next secret.
 *
 * <p>The per-key limit of 2^24 records cannot be reached cheaply through the public API (it takes 2^24
 * AES-GCM operations), so the limit tests set the private {@code counter} field by reflection and
 * build the records at that counter with the reference AES-GCM. They prove the limit checks, not the
 * counting that leads there, which the other tests cover.
 */
class TrafficCipherTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final byte[] SECRET = filled(0x33);
    private static final byte[] OTHER_SECRET = filled(0x44);
    private static final long MAX = TrafficCipher.MAX_RECORDS_PER_KEY;

    private static byte[] filled(int b) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) b);
        return out;
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] out = new byte[length];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Seals a packet record; releases every buffer. */
    private static byte[] seal(TrafficCipher sealer, byte[] plaintext) {
        ByteBuf in = Unpooled.wrappedBuffer(plaintext);
        ByteBuf record = sealer.seal(ALLOC, in);
        try {
            assertThat(in.refCnt()).as("seal does not release its input").isEqualTo(1);
            return ByteBufUtil.getBytes(record);
        } finally {
            record.release();
            in.release();
        }
    }

    private static byte[] sealKeyUpdate(TrafficCipher sealer) {
        ByteBuf record = sealer.sealKeyUpdate(ALLOC);
        try {
            return ByteBufUtil.getBytes(record);
        } finally {
            record.release();
        }
    }

    /** Opens a record; returns the plaintext, or {@code null} for a key update; releases every buffer. */
    private static byte[] open(TrafficCipher opener, byte[] record) {
        ByteBuf in = Unpooled.wrappedBuffer(record);
        try {
            ByteBuf plaintext = opener.open(ALLOC, in);
            if (plaintext == null) {
                assertThat(in.refCnt()).as("open does not release its input").isEqualTo(1);
                return null;
            }
            try {
                return ByteBufUtil.getBytes(plaintext);
            } finally {
                plaintext.release();
                // A small record's plaintext is a retained slice of it: released, the input is as given.
                assertThat(in.refCnt()).as("open neither releases its input nor keeps it").isEqualTo(1);
            }
        } finally {
            in.release();
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRecordInvalid(TrafficCipher opener,
            byte[] record) {
        return assertThatThrownBy(() -> open(opener, record))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.RECORD_INVALID));
    }

    /** AES-256-GCM as docs/protocol.md, section 6, states it, independent of the code under test. */
    private static byte[] referenceSeal(byte[] secret, long counter, byte type, byte[] plaintext) throws Exception {
        byte[] key = HkdfTest.referenceExpand(secret, text("janus/v1 key"), 32);
        byte[] nonce = HkdfTest.referenceExpand(secret, text("janus/v1 iv"), 12);
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] ^= (byte) (counter >>> (56 - 8 * i));
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(new byte[] {type});
        byte[] sealed = cipher.doFinal(plaintext);
        byte[] record = new byte[1 + sealed.length];
        record[0] = type;
        System.arraycopy(sealed, 0, record, 1, sealed.length);
        return record;
    }

    private static byte[] nextSecret(byte[] secret) throws Exception {
        return HkdfTest.referenceExpand(secret, text("janus/v1 key update"), 32);
    }

    /** Sets the private record counter: the only cheap way to stand at the 2^24 limit. */
    private static void setCounter(TrafficCipher cipher, long counter) throws Exception {
        Field field = TrafficCipher.class.getDeclaredField("counter");
        field.setAccessible(true);
        field.setLong(cipher, counter);
    }

    @Test
    void sealThenOpenRoundTripsAndMatchesTheReferenceAesGcm() throws Exception {
        for (int length : new int[] {0, 64, 1024, 60_000}) {
            TrafficCipher sealer = TrafficCipher.sealing(SECRET, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
            TrafficCipher opener = TrafficCipher.opening(SECRET);
            byte[] plaintext = randomBytes(length, length);

            byte[] record = seal(sealer, plaintext);
            assertThat(record).as("%s bytes", length).hasSize(length + TrafficCipher.OVERHEAD)
                    .startsWith(TrafficCipher.TYPE_PACKET)
                    .isEqualTo(referenceSeal(SECRET, 0, TrafficCipher.TYPE_PACKET, plaintext));
            assertThat(open(opener, record)).as("%s bytes", length).isEqualTo(plaintext);
            assertThat(sealer.counter()).isEqualTo(1);
            assertThat(opener.counter()).isEqualTo(1);

            byte[] second = seal(sealer, plaintext);
            assertThat(second).as("a fresh nonce per record, %s bytes", length).isNotEqualTo(record)
                    .isEqualTo(referenceSeal(SECRET, 1, TrafficCipher.TYPE_PACKET, plaintext));
            assertThat(open(opener, second)).isEqualTo(plaintext);
        }
    }

    @Test
    void sealsOnlyTheReadableBytesAndOpensARecordAtAnyReaderIndex() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        ByteBuf plaintext = ALLOC.buffer().writeBytes(text("xxxhello"));
        plaintext.skipBytes(3);
        ByteBuf record = sealer.seal(ALLOC, plaintext);
        plaintext.release();
        // The record as the framing hands it over: a slice behind a length prefix.
        ByteBuf frame = ALLOC.buffer().writeInt(record.readableBytes()).writeBytes(record);
        record.release();
        frame.skipBytes(4);
        ByteBuf opened = opener.open(ALLOC, frame);
        try {
            assertThat(opened.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(frame.isReadable()).as("the record is consumed").isFalse();
        } finally {
            opened.release();
            frame.release();
        }
    }

    @Test
    void refusesATamperedByteAnywhereAndTheCounterStays() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] plaintext = text("a short game packet body");
        byte[] record = seal(sealer, plaintext);
        for (int i = 0; i < record.length; i++) {
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] altered = record.clone();
                altered[i] ^= (byte) bit;
                Throwable thrown = catchThrowable(() -> open(opener, altered));
                assertThat(thrown).as("byte %s of %s ^ 0x%s", i, record.length, Integer.toHexString(bit))
                        .isInstanceOfSatisfying(ProtocolException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.RECORD_INVALID));
                assertThat(opener.counter()).isZero();
            }
        }
        assertThat(open(opener, record)).isEqualTo(plaintext);
    }

    @Test
    void theTypeByteIsAuthenticated() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] record = seal(sealer, new byte[0]);
        byte[] relabelled = record.clone();
        relabelled[0] = TrafficCipher.TYPE_KEY_UPDATE;
        assertRecordInvalid(opener, relabelled).hasMessage(
                "record 0 failed authentication (tampered, replayed, reordered or truncated)");
        assertThat(open(opener, record)).isEmpty();
    }

    @Test
    void refusesAReplayedRecord() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] first = seal(sealer, text("one"));
        byte[] second = seal(sealer, text("two"));
        assertThat(open(opener, first)).isEqualTo(text("one"));
        assertRecordInvalid(opener, first).hasMessageContaining("record 1 failed authentication");
        assertThat(open(opener, second)).isEqualTo(text("two"));
    }

    @Test
    void refusesRecordsOutOfOrderAndADroppedRecord() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] first = seal(sealer, text("one"));
        byte[] second = seal(sealer, text("two"));
        byte[] third = seal(sealer, text("three"));
        assertRecordInvalid(opener, second).hasMessageContaining("record 0 failed authentication");
        assertThat(open(opener, first)).isEqualTo(text("one"));
        assertRecordInvalid(opener, third); // the second was dropped
        assertThat(open(opener, second)).isEqualTo(text("two"));
        assertThat(open(opener, third)).isEqualTo(text("three"));
    }

    @Test
    void refusesATruncatedOrExtendedRecord() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] record = seal(sealer, text("a packet"));
        assertRecordInvalid(opener, Arrays.copyOf(record, record.length - 1));
        assertRecordInvalid(opener, Arrays.copyOf(record, record.length - 16)); // tag cut off
        assertRecordInvalid(opener, Arrays.copyOf(record, record.length + 1));
        assertThat(opener.counter()).isZero();
        assertThat(open(opener, record)).isEqualTo(text("a packet"));
    }

    @Test
    void refusesARecordShorterThan17BytesAndOpensOneOfExactly17() {
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        for (int length : new int[] {0, 1, 16}) {
            byte[] record = new byte[length];
            if (length > 0) {
                record[0] = TrafficCipher.TYPE_PACKET;
            }
            assertRecordInvalid(opener, record).hasMessage("record of " + length + " bytes (expected: at least 17)");
        }
        byte[] empty = seal(TrafficCipher.sealing(SECRET, 100), new byte[0]);
        assertThat(empty).hasSize(17);
        assertThat(open(opener, empty)).isEmpty();
    }

    @Test
    void refusesAnUnknownRecordType() {
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] record = seal(TrafficCipher.sealing(SECRET, 100), text("body"));
        for (int type : new int[] {0x00, 0x01, 0x0F, 0x16, 0x19, 0x97, 0xFF}) {
            byte[] altered = record.clone();
            altered[0] = (byte) type;
            assertRecordInvalid(opener, altered).hasMessage("unknown record type 0x" + Integer.toHexString(type));
        }
        assertThat(open(opener, record)).isEqualTo(text("body"));
    }

    @Test
    void aRecordOfOneDirectionNeverOpensInTheOther() {
        byte[] record = seal(TrafficCipher.sealing(SECRET, 100), text("body"));
        assertRecordInvalid(TrafficCipher.opening(OTHER_SECRET), record);
    }

    @Test
    void keyUpdateSwitchesBothEndsToTheNextSecret() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 3);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[][] before = new byte[3][];
        for (int i = 0; i < 3; i++) {
            assertThat(sealer.needsKeyUpdate()).as("after %s records", i).isFalse();
            before[i] = seal(sealer, text("before " + i));
        }
        assertThat(sealer.needsKeyUpdate()).isTrue();

        byte[] update = sealKeyUpdate(sealer);
        assertThat(update).hasSize(TrafficCipher.OVERHEAD)
                .isEqualTo(referenceSeal(SECRET, 3, TrafficCipher.TYPE_KEY_UPDATE, new byte[0]));
        assertThat(sealer.needsKeyUpdate()).isFalse();
        assertThat(sealer.counter()).isZero();
        byte[] after0 = seal(sealer, text("after 0"));
        byte[] after1 = seal(sealer, text("after 1"));
        assertThat(after0).isEqualTo(referenceSeal(nextSecret(SECRET), 0, TrafficCipher.TYPE_PACKET, text("after 0")));

        for (int i = 0; i < 3; i++) {
            assertThat(open(opener, before[i])).isEqualTo(text("before " + i));
        }
        assertThat(open(opener, update)).as("a key update opens to nothing").isNull();
        assertThat(opener.counter()).isZero();
        assertThat(open(opener, after0)).isEqualTo(text("after 0"));
        assertThat(open(opener, after1)).isEqualTo(text("after 1"));
    }

    @Test
    void successiveKeyUpdatesChainTheSecrets() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 1);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] secret = SECRET;
        for (int round = 0; round < 4; round++) {
            byte[] record = seal(sealer, text("round " + round));
            assertThat(record).isEqualTo(referenceSeal(secret, 0, TrafficCipher.TYPE_PACKET, text("round " + round)));
            assertThat(open(opener, record)).isEqualTo(text("round " + round));
            assertThat(sealer.needsKeyUpdate()).isTrue();
            assertThat(open(opener, sealKeyUpdate(sealer))).isNull();
            secret = nextSecret(secret);
        }
    }

    @Test
    void aReceiverThatMissedTheKeyUpdateCannotOpenWhatFollows() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        sealKeyUpdate(sealer);
        assertRecordInvalid(opener, seal(sealer, text("body")));
    }

    @Test
    void refusesAKeyUpdateRecordWithAPlaintext() throws Exception {
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] bad = referenceSeal(SECRET, 0, TrafficCipher.TYPE_KEY_UPDATE, new byte[] {7});
        assertRecordInvalid(opener, bad).hasMessage("a key update record must be empty");
        assertThat(opener.counter()).isZero();
        // The key was not switched: a record under the first key still opens.
        assertThat(open(opener, referenceSeal(SECRET, 0, TrafficCipher.TYPE_PACKET, text("x")))).isEqualTo(text("x"));
    }

    @Test
    void aReceiverRefusesRecordsPast2To24UnderOneKey() throws Exception {
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        setCounter(opener, MAX - 1);
        byte[] last = referenceSeal(SECRET, MAX - 1, TrafficCipher.TYPE_PACKET, text("last"));
        assertThat(open(opener, last)).as("record number 2^24 is the last allowed").isEqualTo(text("last"));
        assertThat(opener.counter()).isEqualTo(MAX);
        assertRecordInvalid(opener, referenceSeal(SECRET, MAX, TrafficCipher.TYPE_PACKET, text("one too many")))
                .hasMessage("the peer sent 16777216 records without a key update");
        assertRecordInvalid(opener, referenceSeal(SECRET, MAX, TrafficCipher.TYPE_KEY_UPDATE, new byte[0]))
                .hasMessage("the peer sent 16777216 records without a key update");
    }

    @Test
    void aSenderRefusesToSealPast2To24UnderOneKey() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        setCounter(sealer, MAX - 1);
        assertThat(seal(sealer, text("last"))).isEqualTo(referenceSeal(SECRET, MAX - 1, TrafficCipher.TYPE_PACKET,
                text("last")));
        ByteBuf plaintext = Unpooled.wrappedBuffer(text("one too many"));
        try {
            assertThatThrownBy(() -> sealer.seal(ALLOC, plaintext))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("key used for 16777216 records; a key update was due");
        } finally {
            plaintext.release();
        }
    }

    @Test
    void theDefaultUpdateIntervalLeavesRoomForTheKeyUpdate() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        setCounter(sealer, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        setCounter(opener, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        assertThat(sealer.needsKeyUpdate()).isTrue();
        assertThat(open(opener, sealKeyUpdate(sealer))).isNull();
        assertThat(open(opener, seal(sealer, text("fresh key")))).isEqualTo(text("fresh key"));
    }

    @Test
    void theLargestAcceptedUpdateIntervalLeavesRoomForTheKeyUpdate() throws Exception {
        long largest = MAX;
        TrafficCipher sealer;
        try {
            sealer = TrafficCipher.sealing(SECRET, largest);
        } catch (IllegalArgumentException refused) {
            largest = MAX - 1;
            sealer = TrafficCipher.sealing(SECRET, largest);
        }
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        setCounter(sealer, largest);
        setCounter(opener, largest);
        assertThat(sealer.needsKeyUpdate()).isTrue();
        assertThat(open(opener, sealKeyUpdate(sealer))).isNull();
    }

    @Test
    void aSealerDoesNotOpenAndAnOpenerDoesNotSeal() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] record = seal(sealer, text("x"));
        assertThatThrownBy(() -> open(sealer, record))
                .isInstanceOf(IllegalStateException.class).hasMessage("this cipher seals records");
        assertThatThrownBy(() -> seal(opener, text("x")))
                .isInstanceOf(IllegalStateException.class).hasMessage("this cipher opens records");
        assertThatThrownBy(() -> opener.sealKeyUpdate(ALLOC))
                .isInstanceOf(IllegalStateException.class).hasMessage("this cipher opens records");
    }

    @Test
    void refusesASecretOfTheWrongLengthAndAnIntervalOutsideTheLimit() {
        assertThatThrownBy(() -> TrafficCipher.opening(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("secret: 31 bytes (expected: 32)");
        assertThatThrownBy(() -> TrafficCipher.sealing(SECRET, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updateInterval: 0");
        assertThatThrownBy(() -> TrafficCipher.sealing(SECRET, MAX + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updateInterval: 16777217");
    }

    @Test
    void theCipherKeepsItsOwnCopyOfTheSecret() {
        byte[] secret = SECRET.clone();
        TrafficCipher sealer = TrafficCipher.sealing(secret, 100);
        secret[0] ^= 1;
        assertThat(open(TrafficCipher.opening(SECRET), seal(sealer, text("x")))).isEqualTo(text("x"));
    }

    @Test
    void bothEnginesProduceTheReferenceRecordsOnEitherSideOfTheSmallRecordThreshold() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, TrafficCipher.DEFAULT_UPDATE_INTERVAL);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        int counter = 0;
        for (int length = 0; length <= TrafficCipher.SMALL_RECORD + 40; length++, counter++) {
            byte[] plaintext = randomBytes(length, 1000 + length);
            byte[] record = seal(sealer, plaintext);
            assertThat(record).as("%s bytes", length)
                    .isEqualTo(referenceSeal(SECRET, counter, TrafficCipher.TYPE_PACKET, plaintext));
            byte[] altered = record.clone();
            altered[1 + length / 2] ^= 0x40;
            assertRecordInvalid(opener, altered).as("%s bytes", length);
            assertThat(opener.counter()).isEqualTo(counter);
            assertThat(open(opener, record)).as("%s bytes", length).isEqualTo(plaintext);
        }
    }

    @Test
    void aReleasedEngineIsRebuiltFromTheKeyAtTheNextRecordOfEitherSize() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        assertThat(sealer.holdsEngine()).as("made at once").isTrue();
        assertThat(opener.holdsEngine()).isTrue();
        byte[] small = text("small");
        byte[] large = randomBytes(TrafficCipher.SMALL_RECORD + 100, 5);
        long counter = 0;
        for (byte[] plaintext : new byte[][] {small, large, large, small}) {
            sealer.releaseEngine();
            opener.releaseEngine();
            assertThat(sealer.holdsEngine()).isFalse();
            assertThat(opener.holdsEngine()).isFalse();
            byte[] record = seal(sealer, plaintext);
            assertThat(record).isEqualTo(referenceSeal(SECRET, counter++, TrafficCipher.TYPE_PACKET, plaintext));
            assertThat(open(opener, record)).isEqualTo(plaintext);
            assertThat(sealer.holdsEngine()).isTrue();
            assertThat(opener.holdsEngine()).isTrue();
        }
        // A key update while released: the next records use the next key.
        sealer.releaseEngine();
        opener.releaseEngine();
        assertThat(open(opener, sealKeyUpdate(sealer))).isNull();
        sealer.releaseEngine();
        opener.releaseEngine();
        for (byte[] plaintext : new byte[][] {small, large}) {
            byte[] record = seal(sealer, plaintext);
            assertThat(record).isEqualTo(referenceSeal(nextSecret(SECRET), sealer.counter() - 1,
                    TrafficCipher.TYPE_PACKET, plaintext));
            assertThat(open(opener, record)).isEqualTo(plaintext);
        }
    }

    @Test
    void aKeyUpdateRekeysHeldEnginesOfBothSizes() throws Exception {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] small = text("small");
        byte[] large = randomBytes(TrafficCipher.SMALL_RECORD + 1, 6);
        // Both engines held on both sides.
        assertThat(open(opener, seal(sealer, small))).isEqualTo(small);
        assertThat(open(opener, seal(sealer, large))).isEqualTo(large);
        assertThat(open(opener, sealKeyUpdate(sealer))).isNull();
        assertThat(seal(sealer, large)).isEqualTo(referenceSeal(nextSecret(SECRET), 0, TrafficCipher.TYPE_PACKET, large));
        assertThat(seal(sealer, small)).isEqualTo(referenceSeal(nextSecret(SECRET), 1, TrafficCipher.TYPE_PACKET, small));
        assertThat(open(opener, referenceSeal(nextSecret(SECRET), 0, TrafficCipher.TYPE_PACKET, small))).isEqualTo(small);
        assertThat(open(opener, referenceSeal(nextSecret(SECRET), 1, TrafficCipher.TYPE_PACKET, large))).isEqualTo(large);
    }

    @Test
    void aSmallRecordOpensInPlaceAndARefusedOneIsLeftAsItCame() {
        TrafficCipher sealer = TrafficCipher.sealing(SECRET, 100);
        TrafficCipher opener = TrafficCipher.opening(SECRET);
        byte[] first = seal(sealer, text("in place"));
        byte[] second = seal(sealer, text("as it came"));

        // Refused (the tag does not check under counter 0): not a byte of the record changes.
        ByteBuf refused = Unpooled.copiedBuffer(second);
        try {
            assertThatThrownBy(() -> opener.open(ALLOC, refused)).isInstanceOf(ProtocolException.class);
            assertThat(ByteBufUtil.getBytes(refused)).isEqualTo(second);
        } finally {
            refused.release();
        }

        // Accepted: the plaintext is a view of the record's own bytes, decrypted where they lay.
        ByteBuf record = Unpooled.copiedBuffer(first);
        try {
            ByteBuf plaintext = opener.open(ALLOC, record);
            try {
                assertThat(ByteBufUtil.getBytes(plaintext)).isEqualTo(text("in place"));
                assertThat(ByteBufUtil.getBytes(record, 1, text("in place").length)).isEqualTo(text("in place"));
                assertThat(record.isReadable()).as("the record is consumed").isFalse();
            } finally {
                plaintext.release();
            }
        } finally {
            record.release();
        }

        // A read-only record is opened in a copy and left as it came.
        ByteBuf readOnly = Unpooled.copiedBuffer(second).asReadOnly();
        try {
            ByteBuf plaintext = opener.open(ALLOC, readOnly);
            try {
                assertThat(ByteBufUtil.getBytes(plaintext)).isEqualTo(text("as it came"));
                assertThat(ByteBufUtil.getBytes(readOnly, 0, second.length)).isEqualTo(second);
            } finally {
                plaintext.release();
            }
        } finally {
            readOnly.release();
        }
    }
}
