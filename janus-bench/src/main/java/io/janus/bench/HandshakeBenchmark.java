package io.janus.bench;

import io.janus.core.crypto.EphemeralKey;
import io.janus.core.crypto.GatewayIdentity;
import io.janus.core.crypto.KeySchedule;
import io.janus.core.crypto.SigningKey;
import io.janus.core.crypto.TrafficCipher;
import io.janus.core.protocol.ClientHello;
import io.janus.core.protocol.ServerHello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * CPU time of one secure-session handshake (docs/protocol.md, sections 4 and 5), per side, on one thread.
 *
 * <p>{@link #serverHandshake} is what the gateway's event loop spends on a ClientHello, in the order
 * {@code SecureServerHandler} does it: parse the 68-byte ClientHello from a {@link ByteBuf}, generate the
 * ephemeral X25519 key and the gateway random, build and sign the ServerHello (one Ed25519 signature),
 * agree on the shared secret, hash the transcript, derive the key schedule and build both
 * {@link TrafficCipher}s. Writing the ServerHello to the socket is not included. The goal (issue
 * "secure session") is at most 200 us per handshake.
 *
 * <p>{@link #clientVerify} is the client's part after it sent its ClientHello: parse the ServerHello,
 * verify the certificate against the pinned root and the handshake signature (two Ed25519
 * verifications), agree, hash the transcript, derive and build both ciphers.
 *
 * <p>The same-run baseline is {@link #jdkBaseline}: the three public-key operations a gateway performs
 * (X25519 key generation, X25519 agreement, Ed25519 signature) done with the JDK's own providers
 * ({@code KeyPairGenerator}, {@code KeyAgreement}, {@code Signature}) and nothing else. Janus uses
 * BouncyCastle's low-level X25519/Ed25519 instead; the ratio shows what that choice buys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeBenchmark {

    private static final Duration SKEW = Duration.ofMinutes(5);

    private SecureRandom random;
    private GatewayIdentity identity;
    private List<byte[]> pinnedRoots;

    private EphemeralKey clientKey;
    private ClientHello clientHello;
    /** The ClientHello frame as the server receives it; re-read from index 0 on each invocation. */
    private ByteBuf clientHelloFrame;
    /** A ServerHello answering {@link #clientHello}, as the client receives it. */
    private ByteBuf serverHelloFrame;

    private KeyPairGenerator jdkX25519;
    private KeyAgreement jdkAgreement;
    private PublicKey jdkPeerKey;
    private Signature jdkSigner;
    private PrivateKey jdkSigningKey;
    private byte[] signedMessage;

    /**
     * Builds a gateway identity, a client's hello and the gateway's answer, and the JDK objects.
     *
     * @throws GeneralSecurityException never on a JDK 17
     */
    @Setup
    public void setUp() throws GeneralSecurityException {
        random = new SecureRandom();
        SigningKey root = SigningKey.generate();
        identity = GatewayIdentity.generate(root, "bench-gateway", Duration.ofDays(1));
        pinnedRoots = List.of(root.publicKey());

        clientKey = EphemeralKey.generate(random);
        clientHello = ClientHello.create(clientKey, randomBytes(32), true);
        clientHelloFrame = Unpooled.wrappedBuffer(clientHello.encoded());
        ServerHello serverHello = ServerHello.create(clientHello, EphemeralKey.generate(random), randomBytes(32),
                1024, identity);
        serverHelloFrame = Unpooled.wrappedBuffer(serverHello.encoded());

        jdkX25519 = KeyPairGenerator.getInstance("X25519");
        jdkAgreement = KeyAgreement.getInstance("X25519");
        jdkPeerKey = jdkX25519.generateKeyPair().getPublic();
        jdkSigner = Signature.getInstance("Ed25519");
        jdkSigningKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        // The same length as the message Janus signs: the context string and a SHA-256 hash.
        signedMessage = randomBytes(26 + 32);
    }

    /** Releases the prebuilt frames. */
    @TearDown
    public void tearDown() {
        clientHelloFrame.release();
        serverHelloFrame.release();
    }

    /**
     * The gateway's side of one handshake.
     *
     * @param bh consumes the results
     */
    @Benchmark
    public void serverHandshake(Blackhole bh) {
        clientHelloFrame.readerIndex(0);
        ClientHello hello = ClientHello.parse(clientHelloFrame);
        EphemeralKey ephemeral = EphemeralKey.generate(random);
        byte[] serverRandom = new byte[32];
        random.nextBytes(serverRandom);
        ServerHello serverHello = ServerHello.create(hello, ephemeral, serverRandom, 1024, identity);
        byte[] shared = ephemeral.agree(hello.publicKey());
        KeySchedule keys = KeySchedule.derive(shared, serverHello.transcriptHash(hello));
        bh.consume(serverHello.encoded());
        bh.consume(TrafficCipher.sealing(keys.serverToClientSecret(), TrafficCipher.DEFAULT_UPDATE_INTERVAL));
        bh.consume(TrafficCipher.opening(keys.clientToServerSecret()));
    }

    /**
     * The client's side once the ServerHello arrived.
     *
     * @param bh consumes the results
     */
    @Benchmark
    public void clientVerify(Blackhole bh) {
        serverHelloFrame.readerIndex(0);
        ServerHello serverHello = ServerHello.parse(serverHelloFrame);
        serverHello.verify(clientHello, pinnedRoots, Instant.now(), SKEW);
        byte[] shared = clientKey.agree(serverHello.publicKey());
        KeySchedule keys = KeySchedule.derive(shared, serverHello.transcriptHash(clientHello));
        bh.consume(TrafficCipher.sealing(keys.clientToServerSecret(), TrafficCipher.DEFAULT_UPDATE_INTERVAL));
        bh.consume(TrafficCipher.opening(keys.serverToClientSecret()));
    }

    /**
     * Baseline: X25519 key generation and agreement and one Ed25519 signature with the JDK's providers.
     *
     * @param bh consumes the results
     * @throws GeneralSecurityException never on a JDK 17
     */
    @Benchmark
    public void jdkBaseline(Blackhole bh) throws GeneralSecurityException {
        KeyPair ephemeral = jdkX25519.generateKeyPair();
        jdkAgreement.init(ephemeral.getPrivate());
        jdkAgreement.doPhase(jdkPeerKey, true);
        bh.consume(jdkAgreement.generateSecret());
        jdkSigner.initSign(jdkSigningKey);
        jdkSigner.update(signedMessage);
        bh.consume(jdkSigner.sign());
        bh.consume(ephemeral.getPublic());
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
