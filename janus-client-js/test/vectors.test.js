// The test vectors of docs/protocol.md section 13 (docs/test-vectors/session-v1.json), rebuilt with the
// client's own functions and WebCrypto: every output must match the file byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  fromHex, toHex, concat, encodeClientHello, decodeServerHello, verifyCertificate, verifyHandshakeSignature,
  x25519KeyPair, x25519, deriveSessionSecrets, trafficKeys, nextSecret, RecordCipher, RECORD_PACKET,
  RECORD_KEY_UPDATE, encodeMessage, decodeMessage, Schemas, ed25519PublicKey, ed25519Sign, JanusError, Reason,
} from '../janus-client.js';

const file = JSON.parse(readFileSync(new URL('../../docs/test-vectors/session-v1.json', import.meta.url), 'utf8'));
const inputs = file.inputs;
const out = Object.fromEntries(Object.entries(file.outputs).map(([k, v]) => [k, fromHex(v)]));

function assertHex(actual, name) {
  assert.equal(toHex(actual), file.outputs[name], name);
}

test('root and gateway public keys follow from their seeds', async () => {
  assertHex(await ed25519PublicKey(fromHex(inputs.root_key_seed)), 'root_public_key');
  assertHex(await ed25519PublicKey(fromHex(inputs.gateway_key_seed)), 'gateway_public_key');
});

test('the gateway certificate is rebuilt byte for byte and verifies under the root key', async () => {
  const keyId = new TextEncoder().encode(inputs.gateway_key_id);
  const body = new Uint8Array(50 + keyId.length);
  body[0] = 1;
  body[1] = keyId.length;
  body.set(keyId, 2);
  body.set(out.gateway_public_key, 2 + keyId.length);
  const view = new DataView(body.buffer);
  view.setBigInt64(34 + keyId.length, BigInt(inputs.certificate_not_before));
  view.setBigInt64(42 + keyId.length, BigInt(inputs.certificate_not_after));
  const signature = await ed25519Sign(fromHex(inputs.root_key_seed),
    concat(new TextEncoder().encode('janus/v1 gateway certificate\0'), body));
  assertHex(concat(body, signature), 'gateway_certificate');

  const checked = await verifyCertificate(out.gateway_certificate, [out.root_public_key],
    inputs.client_clock_for_certificate_check, 300);
  assert.equal(checked.keyId, 'vector-gw');
  assert.equal(toHex(checked.gatewayPublicKey), file.outputs.gateway_public_key);
});

test('ephemeral keys, hellos, shared secret and the whole key schedule', async () => {
  const client = await x25519KeyPair(fromHex(inputs.client_x25519_private_key));
  const server = await x25519KeyPair(fromHex(inputs.server_x25519_private_key));
  assertHex(client.publicKey, 'client_ephemeral_public_key');
  assertHex(server.publicKey, 'server_ephemeral_public_key');

  const clientHello = encodeClientHello(client.publicKey, fromHex(inputs.client_random), inputs.client_accepts_compression);
  assertHex(clientHello, 'client_hello');

  const hello = decodeServerHello(out.server_hello);
  assert.equal(hello.compression, true);
  assert.equal(hello.compressionThreshold, inputs.server_compression_threshold);
  assert.equal(toHex(hello.ephemeralPublicKey), file.outputs.server_ephemeral_public_key);
  assert.equal(toHex(hello.random), inputs.server_random);
  assert.equal(toHex(hello.certificate), file.outputs.gateway_certificate);
  await verifyHandshakeSignature(out.gateway_public_key, clientHello, hello);

  const shared = await x25519(client.privateKey, hello.ephemeralPublicKey);
  assertHex(shared, 'shared_secret');
  assertHex(await x25519(server.privateKey, client.publicKey), 'shared_secret');

  const secrets = await deriveSessionSecrets(shared, clientHello, out.server_hello);
  assertHex(secrets.transcript, 'transcript_hash');
  assertHex(secrets.prk, 'prk');
  assertHex(secrets.c2s, 'c2s_secret_0');
  assertHex(secrets.s2c, 's2c_secret_0');
  assertHex(secrets.resume, 'resume_secret');
  const c2s = await trafficKeys(secrets.c2s);
  const s2c = await trafficKeys(secrets.s2c);
  assertHex(c2s.key, 'c2s_key_0');
  assertHex(c2s.iv, 'c2s_iv_0');
  assertHex(s2c.key, 's2c_key_0');
  assertHex(s2c.iv, 's2c_iv_0');
  const secret1 = await nextSecret(secrets.c2s);
  assertHex(secret1, 'c2s_secret_1');
  const c2s1 = await trafficKeys(secret1);
  assertHex(c2s1.key, 'c2s_key_1');
  assertHex(c2s1.iv, 'c2s_iv_1');
});

test('the handshake signature fails when a hello is altered', async () => {
  const hello = decodeServerHello(out.server_hello);
  const alteredClientHello = out.client_hello.slice();
  alteredClientHello[40] ^= 1;
  await assert.rejects(verifyHandshakeSignature(out.gateway_public_key, alteredClientHello, hello),
    (e) => e instanceof JanusError && e.reason === Reason.HANDSHAKE_FAILED);
});

test('records: login, answer, key update and the record after it', async () => {
  const sender = await RecordCipher.create(out.c2s_secret_0);
  assertHex(await sender.seal(RECORD_PACKET, out.login_packet_plaintext), 'c2s_record_0');
  assertHex(await sender.seal(RECORD_KEY_UPDATE, new Uint8Array(0)), 'c2s_key_update_record');
  await sender.update();
  assert.equal(sender.counter, 0);
  assertHex(await sender.seal(RECORD_PACKET, out.heartbeat_packet_plaintext), 'c2s_record_after_key_update');

  const gatewaySeal = await RecordCipher.create(out.s2c_secret_0);
  assertHex(await gatewaySeal.seal(RECORD_PACKET, out.login_answer_packet_plaintext), 's2c_record_0');

  // The gateway's view of the client's records: open all three in order.
  const receiver = await RecordCipher.create(out.c2s_secret_0);
  assert.equal(toHex((await receiver.open(out.c2s_record_0)).plaintext), file.outputs.login_packet_plaintext);
  assert.equal((await receiver.open(out.c2s_key_update_record)).type, RECORD_KEY_UPDATE);
  await receiver.update();
  assert.equal(toHex((await receiver.open(out.c2s_record_after_key_update)).plaintext),
    file.outputs.heartbeat_packet_plaintext);
});

test('a replayed, altered, short or unknown-type record is RECORD_INVALID and the counter stays', async () => {
  const receiver = await RecordCipher.create(out.s2c_secret_0);
  const altered = out.s2c_record_0.slice();
  altered[5] ^= 0x80;
  const unknownType = out.s2c_record_0.slice();
  unknownType[0] = 0x19;
  for (const bad of [altered, unknownType, out.s2c_record_0.subarray(0, 16), out.c2s_record_0]) {
    await assert.rejects(receiver.open(bad), (e) => e instanceof JanusError && e.reason === Reason.RECORD_INVALID);
    assert.equal(receiver.counter, 0);
  }
  await receiver.open(out.s2c_record_0);
  await assert.rejects(receiver.open(out.s2c_record_0), (e) => e.reason === Reason.RECORD_INVALID); // replay
});

test('the packet plaintexts are the client encoding of the vector packets', () => {
  const login = encodeMessage(Schemas.LoginRequest, { token: 'vector-token', clientVersion: 'vector' });
  assertHex(encodeMessage(Schemas.Packet, { module: 0, seq: 1, index: 1, body: login }), 'login_packet_plaintext');
  const answer = encodeMessage(Schemas.LoginResponse, { sessionId: 1, playerId: 42, heartbeatIntervalMs: 10000,
    idleTimeoutMs: 30000, serverTimeMs: 1700000000000, maxFrameLength: 65536, maxPendingRequests: 64 });
  assertHex(encodeMessage(Schemas.Packet, { module: 0, seq: 1, index: 1, body: answer }), 'login_answer_packet_plaintext');
  const heartbeat = encodeMessage(Schemas.Heartbeat, { clientTimeMs: 1700000001000 });
  assertHex(encodeMessage(Schemas.Packet, { module: 0, seq: 2, index: 2, body: heartbeat }), 'heartbeat_packet_plaintext');

  const decoded = decodeMessage(Schemas.LoginResponse,
    decodeMessage(Schemas.Packet, out.login_answer_packet_plaintext).body);
  assert.deepEqual(decoded, { sessionId: 1, playerId: 42, heartbeatIntervalMs: 10000, idleTimeoutMs: 30000,
    serverTimeMs: 1700000000000, maxFrameLength: 65536, maxPendingRequests: 64 });
});
