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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * The steps of {@link HandshakeBenchmark#serverHandshake} timed one by one, to show which dominates the
 * gateway's CPU per handshake. Each method repeats one step on inputs prepared once per trial; their
 * sum should come close to {@code serverHandshake}, which is the figure that counts.
 *
 * <p>The baseline is {@link #sign}, the one Ed25519 signature of the handshake with BouncyCastle's
 * low-level API, alone: {@link #createServerHello} minus {@link #sign} is what building the message
 * costs around it. {@link #verify} is one Ed25519 verification, of which the client's
 * {@link HandshakeBenchmark#clientVerify} does two.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeStepsBenchmark {

    private SecureRandom random;
    private GatewayIdentity identity;
    private ByteBuf clientHelloFrame;
    private ClientHello clientHello;
    private byte[] clientPublicKey;
    private EphemeralKey serverKey;
    private byte[] serverRandom;
    private ServerHello serverHello;
    private byte[] shared;
    private byte[] transcript;
    private KeySchedule keys;
    private byte[] signedMessage;
    private byte[] signerPublicKey;
    private byte[] signature;

    /** Runs one handshake's steps once, so that each benchmark finds the inputs of its step. */
    @Setup
    public void setUp() {
        random = new SecureRandom();
        identity = GatewayIdentity.generate(SigningKey.generate(), "bench-gateway", Duration.ofDays(1));
        clientHello = ClientHello.create(EphemeralKey.generate(random), new byte[32], true);
        clientHelloFrame = Unpooled.wrappedBuffer(clientHello.encoded());
        clientPublicKey = clientHello.publicKey();
        serverKey = EphemeralKey.generate(random);
        serverRandom = new byte[32];
        random.nextBytes(serverRandom);
        serverHello = ServerHello.create(clientHello, serverKey, serverRandom, 1024, identity);
        shared = serverKey.agree(clientPublicKey);
        transcript = serverHello.transcriptHash(clientHello);
        keys = KeySchedule.derive(shared, transcript);
        signedMessage = new byte[26 + 32];
        random.nextBytes(signedMessage);
        signerPublicKey = identity.key().publicKey();
        signature = identity.key().sign(signedMessage);
    }

    /** Releases the prebuilt frame. */
    @TearDown
    public void tearDown() {
        clientHelloFrame.release();
    }

    /**
     * Parses the ClientHello frame.
     *
     * @return the hello
     */
    @Benchmark
    public ClientHello parseClientHello() {
        clientHelloFrame.readerIndex(0);
        return ClientHello.parse(clientHelloFrame);
    }

    /**
     * Generates the gateway's ephemeral X25519 key pair and its 32-byte random.
     *
     * @param bh consumes the results
     */
    @Benchmark
    public void generateEphemeral(Blackhole bh) {
        bh.consume(EphemeralKey.generate(random));
        byte[] r = new byte[32];
        random.nextBytes(r);
        bh.consume(r);
    }

    /**
     * Builds and signs the ServerHello.
     *
     * @return the message
     */
    @Benchmark
    public ServerHello createServerHello() {
        return ServerHello.create(clientHello, serverKey, serverRandom, 1024, identity);
    }

    /**
     * Baseline: one Ed25519 signature of a message as long as the handshake's.
     *
     * @return the signature
     */
    @Benchmark
    public byte[] sign() {
        return identity.key().sign(signedMessage);
    }

    /**
     * One Ed25519 verification, as the client does twice (the certificate and the handshake signature).
     *
     * @return whether the signature verifies
     */
    @Benchmark
    public boolean verify() {
        return SigningKey.verify(signerPublicKey, signedMessage, signature);
    }

    /**
     * The X25519 agreement with the client's key.
     *
     * @return the shared secret
     */
    @Benchmark
    public byte[] agree() {
        return serverKey.agree(clientPublicKey);
    }

    /**
     * Hashes the transcript and derives the key schedule.
     *
     * @return the schedule
     */
    @Benchmark
    public KeySchedule transcriptAndDerive() {
        return KeySchedule.derive(shared, serverHello.transcriptHash(clientHello));
    }

    /**
     * Builds the session's two traffic ciphers from the schedule.
     *
     * @param bh consumes the ciphers
     */
    @Benchmark
    public void buildCiphers(Blackhole bh) {
        bh.consume(TrafficCipher.sealing(keys.serverToClientSecret(), TrafficCipher.DEFAULT_UPDATE_INTERVAL));
        bh.consume(TrafficCipher.opening(keys.clientToServerSecret()));
    }
}
