// Hand-written proto3 encoding of the janus.v1 messages the client needs: round trips, proto3 defaults,
// negative and 64-bit values, unknown fields, and malformed input refused as MALFORMED_PACKET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, decodeMessage, Schemas, toHex, fromHex, JanusError, Reason } from '../janus-client.js';

test('every schema round-trips a message with all fields set', () => {
  const samples = {
    Packet: { module: 3, seq: 100, index: 4294967295, obj: 7, body: Uint8Array.of(1, 2, 3), flags: 1, status: 1001 },
    ErrorDetail: { reason: Reason.NO_ROUTE, message: 'no route for module 9' },
    LoginRequest: { token: 'tok', clientVersion: 'js/1', attestationKey: new Uint8Array(32).fill(7),
      attestationSignature: new Uint8Array(64).fill(9) },
    LoginResponse: { sessionId: 2n ** 63n + 5n, playerId: -42, heartbeatIntervalMs: 10000, idleTimeoutMs: 30000,
      serverTimeMs: 1700000000000, maxFrameLength: 65536, maxPendingRequests: 64 },
    Heartbeat: { clientTimeMs: 1700000001000, serverTimeMs: 1700000001005, lastRttMs: 12 },
    Kick: { reason: Reason.SERVER_DRAIN, message: 'draining', reconnectAddress: '127.0.0.1:7001' },
    Notice: { text: 'héllo ☃' },
  };
  for (const [name, message] of Object.entries(samples)) {
    assert.deepEqual(decodeMessage(Schemas[name], encodeMessage(Schemas[name], message)), message, name);
  }
});

test('proto3 defaults are left out and come back as zero and empty', () => {
  assert.equal(encodeMessage(Schemas.Packet, { module: 0, seq: 0, body: new Uint8Array(0) }).length, 0);
  assert.deepEqual(decodeMessage(Schemas.Kick, new Uint8Array(0)), { reason: 0, message: '', reconnectAddress: '' });
});

test('negative int32 and int64 use ten-byte varints as protobuf-java does', () => {
  // Packet{status: -1}: field 7, varint, 0xff..0x01 (ten bytes).
  assert.equal(toHex(encodeMessage(Schemas.Packet, { status: -1 })), '38ffffffffffffffffff01');
  assert.equal(decodeMessage(Schemas.Packet, fromHex('38ffffffffffffffffff01')).status, -1);
  assert.equal(decodeMessage(Schemas.Packet, fromHex('20ffffffffffffffffff01')).obj, -1);
  assert.equal(decodeMessage(Schemas.Packet, fromHex('20ffffffffffffffff7f')).obj, 2n ** 63n - 1n);
});

test('unknown fields of every wire type are skipped', () => {
  // field 15 varint, field 16 fixed64, field 17 bytes, field 18 fixed32, then seq = 2.
  const bytes = fromHex('7801' + '8101' + '0102030405060708' + '8a0102aabb' + '9501' + '01020304' + '1002');
  assert.equal(decodeMessage(Schemas.Packet, bytes).seq, 2);
});

test('malformed encodings are MALFORMED_PACKET', () => {
  const bad = {
    'truncated varint': '08ff',
    'length past the end': '2a05aabb',
    'eleven-byte varint': '08ffffffffffffffffffff01',
    'field number 0': '0001',
    'group wire type': '0b',
    'varint field sent as bytes': '0a00',
    'bytes field sent as varint': '2801',
    'known field sent as fixed32': '0d01020304',
    'string not UTF-8': '0a02c328',
  };
  for (const [what, hex] of Object.entries(bad)) {
    const schema = what === 'string not UTF-8' ? Schemas.LoginRequest : Schemas.Packet;
    assert.throws(() => decodeMessage(schema, fromHex(hex)),
      (e) => e instanceof JanusError && e.reason === Reason.MALFORMED_PACKET, what);
  }
});
