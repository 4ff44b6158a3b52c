// Checks a client makes before it trusts a gateway (docs/protocol.md sections 3 and 4.2), on the
// certificate and ServerHello of the test vectors, altered one field at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fromHex, decodeServerHello, decodeHandshakeError, verifyCertificate, deriveSessionSecrets, JanusError,
  Reason, reasonName } from '../janus-client.js';

const outputs = JSON.parse(readFileSync(new URL('../../docs/test-vectors/session-v1.json', import.meta.url), 'utf8')).outputs;
const certificate = fromHex(outputs.gateway_certificate);
const root = fromHex(outputs.root_public_key);
const serverHello = fromHex(outputs.server_hello);
const NOW = 1800000000;

const hasReason = (reason) => (e) => e instanceof JanusError && e.reason === reason && e.reasonName === reasonName(reason);

test('the certificate is refused for each way it can be wrong', async () => {
  const invalid = hasReason(Reason.CERTIFICATE_INVALID);
  const altered = (at) => {
    const c = certificate.slice();
    c[at] ^= 1;
    return c;
  };
  await assert.rejects(verifyCertificate(altered(0), [root], NOW, 300), invalid); // version
  await assert.rejects(verifyCertificate(certificate.subarray(0, certificate.length - 1), [root], NOW, 300), invalid);
  await assert.rejects(verifyCertificate(altered(15), [root], NOW, 300), invalid); // gateway key: signature
  await assert.rejects(verifyCertificate(certificate, [new Uint8Array(32).fill(3)], NOW, 300), invalid); // other root
  await assert.rejects(verifyCertificate(certificate, [root], 1700000000 - 301, 300), invalid); // too early
  await assert.rejects(verifyCertificate(certificate, [root], 1900000000 + 301, 300), invalid); // expired
  // Inside the skew, and with the right root among several pinned keys, it passes.
  await verifyCertificate(certificate, [new Uint8Array(32).fill(3), root], 1700000000 - 299, 300);
  await verifyCertificate(certificate, [root], 1900000000 + 299, 300);
});

test('the ServerHello is refused for a wrong type, version, reserved byte or length', () => {
  const altered = (at, value) => {
    const h = serverHello.slice();
    h[at] = value;
    return h;
  };
  assert.throws(() => decodeServerHello(altered(0, 0x03)), hasReason(Reason.HANDSHAKE_FAILED));
  assert.throws(() => decodeServerHello(altered(1, 2)), hasReason(Reason.UNSUPPORTED_VERSION));
  assert.throws(() => decodeServerHello(altered(3, 1)), hasReason(Reason.HANDSHAKE_FAILED));
  assert.throws(() => decodeServerHello(altered(2, 3)), hasReason(Reason.HANDSHAKE_FAILED));
  assert.throws(() => decodeServerHello(serverHello.subarray(0, serverHello.length - 1)), hasReason(Reason.HANDSHAKE_FAILED));
  assert.throws(() => decodeServerHello(serverHello.subarray(0, 20)), hasReason(Reason.HANDSHAKE_FAILED));
});

test('an all-zero shared value is refused', async () => {
  await assert.rejects(deriveSessionSecrets(new Uint8Array(32), fromHex(outputs.client_hello), serverHello),
    hasReason(Reason.HANDSHAKE_FAILED));
});

test('a HandshakeError carries its reason and message', () => {
  const frame = Uint8Array.of(0x0f, 0x01, 0xf5, 0x00, 0x05, ...new TextEncoder().encode('limit'));
  assert.deepEqual(decodeHandshakeError(frame), { reason: Reason.CONNECTION_LIMIT_PER_IP, message: 'limit' });
  assert.equal(reasonName(501), 'CONNECTION_LIMIT_PER_IP');
  assert.equal(reasonName(1001), 'GAME_ERROR');
  assert.equal(reasonName(999), 'UNRECOGNIZED');
});
