// Janus browser client: docs/protocol.md (version 1) over WebSocket, with WebCrypto only.
//
// Specifications followed: docs/protocol.md sections 1-13 (normative); RFC 6455 (WebSocket, one binary
// message per frame, section 2.1 of the protocol); RFC 7748 (X25519); RFC 8032 (Ed25519); RFC 5869
// (HKDF with HMAC-SHA256); NIST SP 800-38D (AES-256-GCM); RFC 8446 section 5.3 (per-record nonces) and
// 4.6.3 (key update); the proto3 binary encoding (https://protobuf.dev/programming-guides/encoding/).
//
// The module has no dependencies: it needs globalThis.crypto.subtle (browsers, Node.js 20) and a
// WebSocket constructor (browsers; in Node.js pass one as the `WebSocket` option).

/** Protocol version spoken by this client (docs/protocol.md, ClientHello byte 1). */
export const PROTOCOL_VERSION = 1;

/**
 * The janus.v1.Reason codes (janus-api/src/main/proto/janus/v1/packet.proto), name to number.
 * Frozen; `reasonName(code)` maps back.
 */
export const Reason = Object.freeze({
  OK: 0,
  FRAME_EMPTY: 100, FRAME_TOO_LARGE: 101, FRAME_TRUNCATED: 102, MALFORMED_PACKET: 103,
  PROTOCOL_VIOLATION: 104, HANDSHAKE_TIMEOUT: 105, TRANSPORT_ERROR: 106, HANDSHAKE_FAILED: 107,
  UNSUPPORTED_VERSION: 108, RECORD_INVALID: 109, BODY_TOO_LARGE: 110, CERTIFICATE_INVALID: 111,
  WS_BAD_REQUEST: 120, WS_BAD_UPGRADE: 121, WS_NOT_FOUND: 122, WS_ORIGIN_REFUSED: 123,
  WS_UPGRADE_TIMEOUT: 124, WS_UNSUPPORTED_DATA: 125, WS_PROTOCOL_ERROR: 126, WS_IDLE_TIMEOUT: 127,
  KCP_MALFORMED_SEGMENT: 130, KCP_UNKNOWN_COMMAND: 131, KCP_CONV_MISMATCH: 132, KCP_DEAD_LINK: 133,
  KCP_IDLE_TIMEOUT: 134, KCP_SESSION_LIMIT: 135,
  KCPGO_DATAGRAM_TOO_SHORT: 140, KCPGO_CHECKSUM_MISMATCH: 141, FEC_SHARD_SIZE_INVALID: 142,
  FEC_SHARD_TOO_LARGE: 143, FEC_NOT_CONFIGURED: 144, FEC_SHARD_COUNTS_MISMATCH: 145,
  SMUX_BAD_VERSION: 150, SMUX_BAD_COMMAND: 151, SMUX_BAD_LENGTH: 152, SMUX_UNKNOWN_STREAM: 153,
  SMUX_BAD_STREAM_ID: 154, SMUX_TOO_MANY_STREAMS: 155, SMUX_FLOW_CONTROL_VIOLATION: 156,
  SMUX_BAD_WINDOW_UPDATE: 157, SMUX_KEEPALIVE_TIMEOUT: 158,
  AUTH_FAILED: 200, TOKEN_INVALID: 201, TOKEN_EXPIRED: 202, TOKEN_REPLAYED: 203, AUTH_UNAVAILABLE: 204,
  BANNED: 205, TOKEN_TAMPERED: 206, TOKEN_UNKNOWN_KEY: 207, TOKEN_NOT_YET_VALID: 208,
  ATTESTATION_FAILED: 209,
  DUPLICATE_LOGIN: 300, IDLE_TIMEOUT: 301, SLOW_CONSUMER: 302, SERVER_SHUTDOWN: 303, SERVER_DRAIN: 304,
  KICKED: 305, LOGGED_OUT: 306,
  NO_ROUTE: 400, SERVICE_UNAVAILABLE: 401, REQUEST_TIMEOUT: 402, HANDLER_NOT_FOUND: 403,
  INTERNAL_ERROR: 404, GAME_ERROR: 405,
  CONNECTION_LIMIT: 500, CONNECTION_LIMIT_PER_IP: 501, TOO_MANY_PENDING_REQUESTS: 502, OVERLOADED: 503,
  RATE_LIMITED: 504, HANDSHAKE_RATE_LIMITED: 505,
});

const REASON_NAMES = new Map(Object.entries(Reason).map(([name, code]) => [code, name]));

/** First status defined by the game rather than by Janus (docs/protocol.md section 7). */
export const FIRST_GAME_STATUS = 1000;

/**
 * The name of a reason code or status: a Reason name, `GAME_ERROR` for game statuses (1000 and above),
 * or `UNRECOGNIZED`.
 * @param {number} code
 * @returns {string}
 */
export function reasonName(code) {
  if (code >= FIRST_GAME_STATUS) {
    return 'GAME_ERROR';
  }
  return REASON_NAMES.get(code) ?? 'UNRECOGNIZED';
}

/**
 * An error with a Janus reason: `reason` is the code number, `reasonName` its name, and `status` the
 * wire status of a failed answer (a reason below 1000, a game status from 1000).
 */
export class JanusError extends Error {
  /**
   * @param {number} reason the Reason code (GAME_ERROR for game statuses)
   * @param {string} message detail
   * @param {number} [status] the wire status; defaults to the reason
   */
  constructor(reason, message, status = reason) {
    super(`${reasonName(reason)}: ${message}`);
    this.name = 'JanusError';
    this.reason = reason;
    this.reasonName = reasonName(reason);
    this.status = status;
    this.detail = message;
  }

  /** Whether the status was defined by the game (1000 and above). */
  get isGameStatus() {
    return this.status >= FIRST_GAME_STATUS;
  }
}

/** A request or call failed because the session is closed; `closeReason` says why. */
export class SessionClosedError extends JanusError {
  /** @param {CloseReason} closeReason */
  constructor(closeReason) {
    super(closeReason.reason, `session closed: ${closeReason.message}`);
    this.name = 'SessionClosedError';
    this.closeReason = closeReason;
  }
}

// ---------------------------------------------------------------------------------------------------
// Bytes

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** @param {string} hex lowercase or uppercase hex, even length */
export function fromHex(hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
    throw new TypeError('not an even-length hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.substr(i * 2, 2), 16);
  }
  return out;
}

/** @param {Uint8Array} bytes @returns {string} lowercase hex */
export function toHex(bytes) {
  let s = '';
  for (const b of bytes) {
    s += b.toString(16).padStart(2, '0');
  }
  return s;
}

/** Decodes standard or URL-safe base64, padded or not. */
export function fromBase64(text) {
  const normal = text.trim().replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(normal + '='.repeat((4 - (normal.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function bytesOf(value, what) {
  if (value instanceof Uint8Array) {
    return value;
  }
  if (value instanceof ArrayBuffer) {
    return new Uint8Array(value);
  }
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (typeof value === 'string') {
    return encoder.encode(value);
  }
  if (value === undefined || value === null) {
    return new Uint8Array(0);
  }
  throw new TypeError(`${what}: expected Uint8Array, ArrayBuffer or string`);
}

function label(text) {
  return encoder.encode(text);
}

// ---------------------------------------------------------------------------------------------------
// Protobuf (proto3 binary encoding) for the few janus.v1 messages the client needs

/** Field types: varints (uint32, int32, int64, uint64, enum), and length-delimited bytes/string. */
const U32 = 'uint32';
const I32 = 'int32';
const I64 = 'int64';
const U64 = 'uint64';
const BYTES = 'bytes';
const STRING = 'string';

/**
 * Message schemas, field number -> [name, type], from packet.proto and system.proto. Decoded 64-bit
 * fields are numbers when safe integers, BigInt otherwise.
 */
export const Schemas = Object.freeze({
  Packet: { 1: ['module', U32], 2: ['seq', U32], 3: ['index', U32], 4: ['obj', I64], 5: ['body', BYTES],
    6: ['flags', U32], 7: ['status', I32] },
  ErrorDetail: { 1: ['reason', I32], 2: ['message', STRING] },
  LoginRequest: { 1: ['token', STRING], 2: ['clientVersion', STRING], 3: ['attestationKey', BYTES],
    4: ['attestationSignature', BYTES] },
  LoginResponse: { 1: ['sessionId', U64], 2: ['playerId', I64], 3: ['heartbeatIntervalMs', U32],
    4: ['idleTimeoutMs', U32], 5: ['serverTimeMs', I64], 6: ['maxFrameLength', U32],
    7: ['maxPendingRequests', U32] },
  Heartbeat: { 1: ['clientTimeMs', I64], 2: ['serverTimeMs', I64], 3: ['lastRttMs', U32] },
  Kick: { 1: ['reason', I32], 2: ['message', STRING], 3: ['reconnectAddress', STRING] },
  Notice: { 1: ['text', STRING] },
});

function writeVarint(out, value) {
  let v = value;
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function varintValue(type, value) {
  const big = typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
  switch (type) {
    case U32: return BigInt.asUintN(32, big);
    case I32: return BigInt.asUintN(64, BigInt.asIntN(32, big)); // negative int32: ten bytes
    case I64: return BigInt.asUintN(64, big);
    default: return BigInt.asUintN(64, big);
  }
}

/**
 * Encodes a message in field-number order, leaving out default values as proto3 does.
 * @param {object} schema one of {@link Schemas}
 * @param {object} message field values by name
 * @returns {Uint8Array}
 */
export function encodeMessage(schema, message) {
  const out = [];
  for (const number of Object.keys(schema).map(Number).sort((a, b) => a - b)) {
    const [name, type] = schema[number];
    const value = message[name];
    if (value === undefined || value === null) {
      continue;
    }
    if (type === BYTES || type === STRING) {
      const bytes = type === STRING ? encoder.encode(String(value)) : bytesOf(value, name);
      if (bytes.length === 0) {
        continue;
      }
      writeVarint(out, BigInt((number << 3) | 2));
      writeVarint(out, BigInt(bytes.length));
      for (const b of bytes) {
        out.push(b);
      }
    } else {
      const v = varintValue(type, value);
      if (v === 0n) {
        continue;
      }
      writeVarint(out, BigInt(number << 3));
      writeVarint(out, v);
    }
  }
  return Uint8Array.from(out);
}

/** Thrown by {@link decodeMessage} for bytes that are not a valid encoding. */
function malformed(what) {
  return new JanusError(Reason.MALFORMED_PACKET, what);
}

function readVarint(bytes, state) {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (state.at >= bytes.length) {
      throw malformed('truncated varint');
    }
    const b = bytes[state.at++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      return BigInt.asUintN(64, result);
    }
  }
  throw malformed('varint longer than 10 bytes');
}

function smallest(big) {
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

/**
 * Decodes a message; unknown fields are skipped, a repeated scalar keeps its last value, and missing
 * fields get their proto3 defaults.
 * @param {object} schema one of {@link Schemas}
 * @param {Uint8Array} bytes
 * @returns {object}
 * @throws {JanusError} MALFORMED_PACKET when the bytes do not parse
 */
export function decodeMessage(schema, bytes) {
  const message = {};
  for (const [name, type] of Object.values(schema)) {
    message[name] = type === BYTES ? new Uint8Array(0) : type === STRING ? '' : 0;
  }
  const state = { at: 0 };
  while (state.at < bytes.length) {
    const key = readVarint(bytes, state);
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (number === 0) {
      throw malformed('field number 0');
    }
    const field = schema[number];
    if (wire === 0) {
      const v = readVarint(bytes, state);
      if (field) {
        const [name, type] = field;
        if (type === BYTES || type === STRING) {
          throw malformed(`field ${name}: wire type 0`);
        }
        if (type === U32) {
          message[name] = Number(BigInt.asUintN(32, v));
        } else if (type === I32) {
          message[name] = Number(BigInt.asIntN(32, v));
        } else if (type === I64) {
          message[name] = smallest(BigInt.asIntN(64, v));
        } else {
          message[name] = smallest(v);
        }
      }
    } else if (wire === 2) {
      const length = readVarint(bytes, state);
      if (length > BigInt(bytes.length - state.at)) {
        throw malformed('length past the end');
      }
      const value = bytes.subarray(state.at, state.at + Number(length));
      state.at += Number(length);
      if (field) {
        const [name, type] = field;
        if (type === BYTES) {
          message[name] = value.slice();
        } else if (type === STRING) {
          try {
            message[name] = strictDecoder.decode(value);
          } catch {
            throw malformed(`field ${name}: not UTF-8`);
          }
        } else {
          throw malformed(`field ${name}: wire type 2`);
        }
      }
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (field) {
        throw malformed(`field ${field[0]}: wire type ${wire}`);
      }
      if (state.at + size > bytes.length) {
        throw malformed('truncated fixed field');
      }
      state.at += size;
    } else {
      throw malformed(`wire type ${wire}`);
    }
  }
  return message;
}

// ---------------------------------------------------------------------------------------------------
// Crypto primitives (WebCrypto)

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new JanusError(Reason.HANDSHAKE_FAILED, 'WebCrypto (crypto.subtle) is not available: '
      + 'browsers expose it only to secure contexts (https, or http on localhost/127.0.0.1)');
  }
  return s;
}

/** SHA-256 (FIPS 180-4). */
export async function sha256(data) {
  return new Uint8Array(await subtle().digest('SHA-256', data));
}

async function hmacSha256(key, data) {
  const k = await subtle().importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, data));
}

/** HKDF-Extract (RFC 5869 section 2.2) with HMAC-SHA256. */
export async function hkdfExtract(salt, ikm) {
  return hmacSha256(salt.length > 0 ? salt : new Uint8Array(32), ikm);
}

/** HKDF-Expand (RFC 5869 section 2.3) with HMAC-SHA256; `info` is an ASCII label or bytes. */
export async function hkdfExpand(prk, info, length) {
  const infoBytes = typeof info === 'string' ? label(info) : info;
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let i = 1, at = 0; at < length; i++) {
    previous = await hmacSha256(prk, concat(previous, infoBytes, Uint8Array.of(i)));
    out.set(previous.subarray(0, Math.min(previous.length, length - at)), at);
    at += previous.length;
  }
  return out;
}

/** The key schedule of docs/protocol.md section 5, from the X25519 shared value and both hellos. */
export async function deriveSessionSecrets(shared, clientHello, serverHello) {
  if (shared.every((b) => b === 0)) {
    throw new JanusError(Reason.HANDSHAKE_FAILED, 'all-zero X25519 shared value');
  }
  const transcript = await sha256(concat(clientHello, serverHello));
  const prk = await hkdfExtract(transcript, shared);
  return {
    transcript,
    prk,
    c2s: await hkdfExpand(prk, 'janus/v1 c2s', 32),
    s2c: await hkdfExpand(prk, 'janus/v1 s2c', 32),
    resume: await hkdfExpand(prk, 'janus/v1 resume', 32),
  };
}

/** The AES key and IV of a traffic secret (section 5). */
export async function trafficKeys(secret) {
  return {
    key: await hkdfExpand(secret, 'janus/v1 key', 32),
    iv: await hkdfExpand(secret, 'janus/v1 iv', 12),
  };
}

/** The traffic secret after a key update (section 6.2). */
export function nextSecret(secret) {
  return hkdfExpand(secret, 'janus/v1 key update', 32);
}

const X25519_PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');
const ED25519_PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');

/**
 * An X25519 key pair (RFC 7748). Without `privateKey` a fresh one is generated; with it (32 bytes, for
 * test vectors) that key is imported.
 * @returns {Promise<{privateKey: CryptoKey, publicKey: Uint8Array}>}
 */
export async function x25519KeyPair(privateKey) {
  let key;
  if (privateKey) {
    key = await subtle().importKey('pkcs8', concat(X25519_PKCS8_PREFIX, privateKey), { name: 'X25519' },
      true, ['deriveBits']);
  } else {
    key = (await subtle().generateKey({ name: 'X25519' }, true, ['deriveBits'])).privateKey;
  }
  const jwk = await subtle().exportKey('jwk', key);
  return { privateKey: key, publicKey: fromBase64(jwk.x) };
}

/** X25519(own private key, peer public key), 32 bytes. */
export async function x25519(privateKey, peerPublicKey) {
  const peer = await subtle().importKey('raw', peerPublicKey, { name: 'X25519' }, false, []);
  return new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: peer }, privateKey, 256));
}

/** Ed25519 verification (RFC 8032 section 5.1, pure Ed25519). */
export async function ed25519Verify(publicKey, signature, message) {
  try {
    const key = await subtle().importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return await subtle().verify({ name: 'Ed25519' }, key, signature, message);
  } catch {
    return false; // a public key that is not a point
  }
}

/** Ed25519 signing from a 32-byte seed (for test vectors and tools; clients never sign). */
export async function ed25519Sign(seed, message) {
  const key = await subtle().importKey('pkcs8', concat(ED25519_PKCS8_PREFIX, seed), { name: 'Ed25519' },
    false, ['sign']);
  return new Uint8Array(await subtle().sign({ name: 'Ed25519' }, key, message));
}

/** The Ed25519 public key of a 32-byte seed. */
export async function ed25519PublicKey(seed) {
  const key = await subtle().importKey('pkcs8', concat(ED25519_PKCS8_PREFIX, seed), { name: 'Ed25519' },
    true, ['sign']);
  return fromBase64((await subtle().exportKey('jwk', key)).x);
}

// ---------------------------------------------------------------------------------------------------
// Handshake messages (section 4) and certificates (section 3)

const CERTIFICATE_CONTEXT = label('janus/v1 gateway certificate\0');
const HANDSHAKE_CONTEXT = label('janus/v1 server handshake\0');

/** Builds the 68-byte ClientHello (section 4.1). */
export function encodeClientHello(ephemeralPublicKey, random, acceptCompression) {
  if (ephemeralPublicKey.length !== 32 || random.length !== 32) {
    throw new TypeError('ClientHello: the key and the random are 32 bytes each');
  }
  return concat(Uint8Array.of(0x01, PROTOCOL_VERSION, acceptCompression ? 1 : 0, 0), ephemeralPublicKey, random);
}

/**
 * Parses a HandshakeError (section 4.3).
 * @returns {{reason: number, message: string}}
 */
export function decodeHandshakeError(frame) {
  if (frame.length < 5 || frame[0] !== 0x0f) {
    throw new JanusError(Reason.HANDSHAKE_FAILED, 'malformed HandshakeError');
  }
  const reason = (frame[1] << 8) | frame[2];
  const length = (frame[3] << 8) | frame[4];
  const message = new TextDecoder().decode(frame.subarray(5, 5 + Math.min(length, frame.length - 5)));
  return { reason, message };
}

/**
 * Parses a ServerHello (section 4.2), checking type, version, reserved byte, flags and lengths.
 * @throws {JanusError} HANDSHAKE_FAILED or UNSUPPORTED_VERSION
 */
export function decodeServerHello(frame) {
  if (frame.length < 74 || frame[0] !== 0x02) {
    throw new JanusError(Reason.HANDSHAKE_FAILED, `not a ServerHello (${frame.length} bytes, type ${frame[0]})`);
  }
  if (frame[1] !== PROTOCOL_VERSION) {
    throw new JanusError(Reason.UNSUPPORTED_VERSION, `gateway speaks version ${frame[1]}`);
  }
  if (frame[3] !== 0 || (frame[2] & 0xfe) !== 0) {
    throw new JanusError(Reason.HANDSHAKE_FAILED, 'ServerHello: reserved bits set');
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const certificateLength = view.getUint16(72);
  if (frame.length !== 74 + certificateLength + 64) {
    throw new JanusError(Reason.HANDSHAKE_FAILED,
      `ServerHello of ${frame.length} bytes, expected ${74 + certificateLength + 64}`);
  }
  return {
    compression: (frame[2] & 1) === 1,
    ephemeralPublicKey: frame.slice(4, 36),
    random: frame.slice(36, 68),
    compressionThreshold: view.getUint32(68),
    certificate: frame.slice(74, 74 + certificateLength),
    signedPart: frame.subarray(0, 74 + certificateLength),
    signature: frame.slice(74 + certificateLength),
  };
}

/**
 * Checks a gateway certificate (section 3) against the pinned root keys and the clock.
 * @param {Uint8Array} certificate
 * @param {Uint8Array[]} rootPublicKeys pinned Ed25519 root keys, 32 bytes each
 * @param {number} nowSeconds the client's clock, Unix seconds
 * @param {number} skewSeconds allowed clock skew (the Java client allows 300)
 * @returns {Promise<{keyId: string, gatewayPublicKey: Uint8Array, notBefore: bigint, notAfter: bigint}>}
 * @throws {JanusError} CERTIFICATE_INVALID
 */
export async function verifyCertificate(certificate, rootPublicKeys, nowSeconds, skewSeconds) {
  const invalid = (why) => new JanusError(Reason.CERTIFICATE_INVALID, why);
  if (certificate.length < 2 || certificate[0] !== 1) {
    throw invalid(`certificate version ${certificate[0]}`);
  }
  const k = certificate[1];
  if (k < 1 || k > 32 || certificate.length !== 50 + k + 64) {
    throw invalid(`certificate of ${certificate.length} bytes with a key id of ${k}`);
  }
  const keyIdBytes = certificate.subarray(2, 2 + k);
  if (keyIdBytes.some((b) => b < 0x20 || b > 0x7e)) {
    throw invalid('key id is not printable ASCII');
  }
  const view = new DataView(certificate.buffer, certificate.byteOffset, certificate.byteLength);
  const notBefore = view.getBigInt64(34 + k);
  const notAfter = view.getBigInt64(42 + k);
  const signed = concat(CERTIFICATE_CONTEXT, certificate.subarray(0, 50 + k));
  const signature = certificate.subarray(50 + k);
  let verified = false;
  for (const root of rootPublicKeys) {
    if (await ed25519Verify(root, signature, signed)) {
      verified = true;
      break;
    }
  }
  if (!verified) {
    throw invalid('the root signature does not verify under any pinned root key');
  }
  const now = BigInt(Math.floor(nowSeconds));
  const skew = BigInt(Math.floor(skewSeconds));
  if (now < notBefore - skew || now > notAfter + skew) {
    throw invalid(`not valid now (${now}): valid from ${notBefore} to ${notAfter}`);
  }
  return {
    keyId: String.fromCharCode(...keyIdBytes),
    gatewayPublicKey: certificate.slice(2 + k, 34 + k),
    notBefore,
    notAfter,
  };
}

/** Checks the handshake signature (section 4.2) under the certified gateway key. */
export async function verifyHandshakeSignature(gatewayPublicKey, clientHello, serverHello) {
  const digest = await sha256(concat(clientHello, serverHello.signedPart));
  if (!(await ed25519Verify(gatewayPublicKey, serverHello.signature, concat(HANDSHAKE_CONTEXT, digest)))) {
    throw new JanusError(Reason.HANDSHAKE_FAILED, 'the handshake signature does not verify');
  }
}

// ---------------------------------------------------------------------------------------------------
// Records (section 6)

/** Record type of a packet. */
export const RECORD_PACKET = 0x17;
/** Record type of a key update. */
export const RECORD_KEY_UPDATE = 0x18;
/** Records a receiver accepts under one key (section 6.1). */
export const MAX_RECORDS_PER_KEY = 2 ** 24;
/** Records this client seals under one key before it sends a key update (as the Java side). */
export const KEY_UPDATE_AFTER = 2 ** 23;

/**
 * One direction of the record layer: a traffic secret, its AES-256-GCM key and IV, and the 64-bit
 * record counter. Not thread-safe; callers serialise their calls (the session chains them).
 */
export class RecordCipher {
  /** @param {Uint8Array} secret the direction's traffic secret */
  static async create(secret) {
    const cipher = new RecordCipher();
    await cipher._install(secret);
    return cipher;
  }

  async _install(secret) {
    const { key, iv } = await trafficKeys(secret);
    this.secret = secret;
    this.iv = iv;
    this.key = await subtle().importKey('raw', key, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    this.counter = 0;
  }

  /** The nonce of the current counter: iv XOR (0^4 || counter) as in RFC 8446 section 5.3. */
  nonce() {
    const nonce = this.iv.slice();
    let c = BigInt(this.counter);
    for (let i = 11; i >= 4; i--) {
      nonce[i] ^= Number(c & 0xffn);
      c >>= 8n;
    }
    return nonce;
  }

  /** Seals a record of `type` and advances the counter. */
  async seal(type, plaintext) {
    const sealed = await subtle().encrypt({ name: 'AES-GCM', iv: this.nonce(), additionalData: Uint8Array.of(type),
      tagLength: 128 }, this.key, plaintext);
    this.counter++;
    return concat(Uint8Array.of(type), new Uint8Array(sealed));
  }

  /**
   * Opens a record; the counter advances only on success.
   * @returns {Promise<{type: number, plaintext: Uint8Array}>}
   * @throws {JanusError} RECORD_INVALID
   */
  async open(record) {
    const type = record[0];
    if (record.length < 17 || (type !== RECORD_PACKET && type !== RECORD_KEY_UPDATE)) {
      throw new JanusError(Reason.RECORD_INVALID, `record of ${record.length} bytes, type ${type}`);
    }
    if (this.counter >= MAX_RECORDS_PER_KEY) {
      throw new JanusError(Reason.RECORD_INVALID, 'more than 2^24 records under one key');
    }
    let plaintext;
    try {
      plaintext = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: this.nonce(),
        additionalData: Uint8Array.of(type), tagLength: 128 }, this.key, record.subarray(1)));
    } catch {
      throw new JanusError(Reason.RECORD_INVALID, 'record authentication failed');
    }
    this.counter++;
    if (type === RECORD_KEY_UPDATE && plaintext.length !== 0) {
      throw new JanusError(Reason.RECORD_INVALID, 'key update record with a payload');
    }
    return { type, plaintext };
  }

  /** Moves to the next traffic secret (section 6.2), counter 0. */
  async update() {
    await this._install(await nextSecret(this.secret));
  }
}

// ---------------------------------------------------------------------------------------------------
// The session

/** System module commands (section 8). */
export const SystemSeq = Object.freeze({ LOGIN: 1, HEARTBEAT: 2, KICK: 3, NOTICE: 4, LOGOUT: 5 });

const DEFAULTS = Object.freeze({
  clientVersion: 'janus-client-js/0.1',
  requestTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  certificateSkewSeconds: 300,
  maxQueuedFrames: 1024,
  recordsPerKey: KEY_UPDATE_AFTER,
});

/**
 * Connects to a gateway over WebSocket, runs the handshake and logs in.
 *
 * @param {string} url the gateway's WebSocket URL, e.g. `ws://127.0.0.1:8080/janus`
 * @param {import('./janus-client.js').ConnectOptions} options see janus-client.d.ts
 * @returns {Promise<Session>} the logged-in session; rejects with a {@link JanusError}
 */
export async function connect(url, options) {
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError('url: a ws:// or wss:// URL');
  }
  if (!options || typeof options.token !== 'string' || options.token.length === 0) {
    throw new TypeError('options.token: the login token');
  }
  const roots = [].concat(options.rootPublicKey ?? []).map((k) => (typeof k === 'string' ? fromBase64(k) : bytesOf(k)));
  if (roots.length === 0 || roots.some((k) => k.length !== 32)) {
    throw new TypeError('options.rootPublicKey: one or more 32-byte Ed25519 root public keys (bytes or base64)');
  }
  const opts = { ...DEFAULTS, ...options, roots };
  if (!Number.isInteger(opts.recordsPerKey) || opts.recordsPerKey < 1 || opts.recordsPerKey > KEY_UPDATE_AFTER) {
    throw new RangeError(`options.recordsPerKey: ${opts.recordsPerKey} (expected: 1 to 2^23)`);
  }
  const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
  if (typeof WebSocketImpl !== 'function') {
    throw new TypeError('no WebSocket: pass options.WebSocket outside browsers');
  }
  const session = new Session(new WebSocketImpl(url), opts);
  return session._start();
}

/** Why a session closed: a Reason code, its name, detail, and the reconnect address of a drain. */
class CloseReason {
  constructor(reason, message, byServer, reconnectAddress = '') {
    this.reason = reason;
    this.reasonName = reasonName(reason);
    this.message = message;
    this.byServer = byServer;
    this.reconnectAddress = reconnectAddress;
  }
}

/**
 * A logged-in session. Created by {@link connect}. Requests, pushes, heartbeats and the close.
 */
export class Session {
  constructor(ws, opts) {
    this._ws = ws;
    this._opts = opts;
    this._pending = new Map(); // index -> {resolve, reject, timer}; bounded by maxPendingRequests
    this._nextIndex = 0;
    this._pushListeners = [];
    this._noticeListeners = [];
    this._queuedFrames = 0; // frames waiting in the inbound chain; bounded by maxQueuedFrames
    this._inbound = Promise.resolve();
    this._outbound = Promise.resolve();
    this._queuedSends = 0; // records waiting in the outbound chain; bounded by maxQueuedFrames
    this._closeReason = null; // set by a kick, a logout or close(), before the socket ends
    this._finished = null;
    this._heartbeatTimer = null;
    this.rttMillis = -1;
    this.loginResponse = null;
    this.closed = new Promise((resolve) => {
      this._resolveClosed = resolve;
    });
  }

  /** The session id the gateway assigned. */
  get sessionId() {
    return this.loginResponse?.sessionId;
  }

  /** The authenticated player id. */
  get playerId() {
    return this.loginResponse?.playerId;
  }

  /** Whether the session is logged in and not closed. */
  get isActive() {
    return this.loginResponse !== null && this._finished === null;
  }

  _start() {
    const ws = this._ws;
    ws.binaryType = 'arraybuffer';
    return new Promise((resolve, reject) => {
      this._connectResolve = resolve;
      this._connectReject = reject;
      this._connectTimer = setTimeout(() => this._fail(new JanusError(Reason.HANDSHAKE_TIMEOUT,
        `no login within ${this._opts.connectTimeoutMs} ms`)), this._opts.connectTimeoutMs);
      ws.onopen = () => this._sendHello().catch((e) => this._fail(e));
      ws.onmessage = (event) => this._onFrame(event.data);
      ws.onerror = () => {
        // The close event follows and carries the detail.
      };
      // The close waits for the frames still being decrypted: a refused login's error answer and kick
      // arrive right before the close and must be read first.
      ws.onclose = (event) => {
        this._inbound = this._inbound.then(() => this._onSocketClosed(event.code, event.reason));
      };
    });
  }

  async _sendHello() {
    this._ephemeral = await x25519KeyPair();
    const random = crypto.getRandomValues(new Uint8Array(32));
    this._clientHello = encodeClientHello(this._ephemeral.publicKey, random, false);
    this._ws.send(this._clientHello);
  }

  _onFrame(data) {
    if (this._finished) {
      return;
    }
    if (!(data instanceof ArrayBuffer)) {
      this._fail(new JanusError(Reason.PROTOCOL_VIOLATION, 'the gateway sent a text message'));
      return;
    }
    if (++this._queuedFrames > this._opts.maxQueuedFrames) {
      this._fail(new JanusError(Reason.TRANSPORT_ERROR,
        `more than ${this._opts.maxQueuedFrames} frames waiting for decryption`));
      return;
    }
    const frame = new Uint8Array(data);
    this._inbound = this._inbound.then(async () => {
      this._queuedFrames--;
      if (this._finished) {
        return;
      }
      try {
        await (this._receiver ? this._onRecord(frame) : this._onHandshake(frame));
      } catch (e) {
        this._fail(e instanceof JanusError ? e : new JanusError(Reason.PROTOCOL_VIOLATION, String(e)));
      }
    });
  }

  async _onHandshake(frame) {
    if (frame[0] === 0x0f) {
      const { reason, message } = decodeHandshakeError(frame);
      throw new JanusError(reason, `the gateway refused the handshake: ${message}`);
    }
    const hello = decodeServerHello(frame);
    if (hello.compression) {
      throw new JanusError(Reason.HANDSHAKE_FAILED, 'compression turned on although the client declined it');
    }
    const nowSeconds = (this._opts.now ? this._opts.now() : Date.now()) / 1000;
    const certificate = await verifyCertificate(hello.certificate, this._opts.roots, nowSeconds,
      this._opts.certificateSkewSeconds);
    await verifyHandshakeSignature(certificate.gatewayPublicKey, this._clientHello, hello);
    const shared = await x25519(this._ephemeral.privateKey, hello.ephemeralPublicKey);
    const secrets = await deriveSessionSecrets(shared, this._clientHello, frame);
    this._sender = await RecordCipher.create(secrets.c2s);
    this._receiver = await RecordCipher.create(secrets.s2c);
    this.gatewayKeyId = certificate.keyId;
    this.transcriptHash = secrets.transcript;
    const login = encodeMessage(Schemas.LoginRequest, { token: this._opts.token, clientVersion: this._opts.clientVersion });
    this._call({ module: 0, seq: SystemSeq.LOGIN, body: login }, false).then((body) => {
      this.loginResponse = decodeMessage(Schemas.LoginResponse, body);
      clearTimeout(this._connectTimer);
      this._startHeartbeat(this.loginResponse.heartbeatIntervalMs);
      this._connectResolve(this);
    }, (e) => this._fail(e));
  }

  async _onRecord(frame) {
    const { type, plaintext } = await this._receiver.open(frame);
    if (type === RECORD_KEY_UPDATE) {
      await this._receiver.update();
      return;
    }
    const packet = decodeMessage(Schemas.Packet, plaintext);
    if ((packet.flags & 1) !== 0) {
      throw new JanusError(Reason.BODY_TOO_LARGE, 'a compressed body although compression is off');
    }
    if (packet.index !== 0) {
      const pending = this._pending.get(packet.index);
      if (!pending) {
        return; // an answer after its local timeout
      }
      this._pending.delete(packet.index);
      clearTimeout(pending.timer);
      if (packet.status === 0) {
        pending.resolve(packet.body);
      } else {
        pending.reject(answerError(packet));
      }
      return;
    }
    if (packet.module === 0) {
      this._onSystemPush(packet);
      return;
    }
    const push = { module: packet.module, seq: packet.seq, obj: packet.obj, body: packet.body };
    for (const listener of this._pushListeners) {
      try {
        listener(push);
      } catch (e) {
        console.error('janus: push listener failed', e);
      }
    }
  }

  _onSystemPush(packet) {
    if (packet.seq === SystemSeq.KICK) {
      const kick = decodeMessage(Schemas.Kick, packet.body);
      this._closeReason ??= new CloseReason(kick.reason, kick.message, true, kick.reconnectAddress);
      if (!this.loginResponse) {
        // A refused login: its error answer came first; keep the kick's reason for the rejection.
        this._fail(new JanusError(kick.reason, kick.message));
      }
    } else if (packet.seq === SystemSeq.NOTICE) {
      const notice = decodeMessage(Schemas.Notice, packet.body);
      for (const listener of this._noticeListeners) {
        try {
          listener(notice.text);
        } catch (e) {
          console.error('janus: notice listener failed', e);
        }
      }
    }
  }

  _send(packet) {
    if (++this._queuedSends > this._opts.maxQueuedFrames) {
      this._queuedSends--;
      return Promise.reject(new JanusError(Reason.TOO_MANY_PENDING_REQUESTS,
        `more than ${this._opts.maxQueuedFrames} records waiting to be sealed`));
    }
    const plaintext = encodeMessage(Schemas.Packet, packet);
    const sent = this._outbound.then(async () => {
      this._queuedSends--;
      if (this._finished) {
        throw new SessionClosedError(this._finished);
      }
      if (this._sender.counter >= this._opts.recordsPerKey) {
        this._ws.send(await this._sender.seal(RECORD_KEY_UPDATE, new Uint8Array(0)));
        await this._sender.update();
      }
      this._ws.send(await this._sender.seal(RECORD_PACKET, plaintext));
    });
    this._outbound = sent.catch(() => {});
    return sent;
  }

  _call(packet, checkLimits) {
    if (this._finished) {
      return Promise.reject(new SessionClosedError(this._finished));
    }
    const limits = this.loginResponse;
    if (checkLimits && limits && this._pending.size >= limits.maxPendingRequests) {
      return Promise.reject(new JanusError(Reason.TOO_MANY_PENDING_REQUESTS,
        `more than ${limits.maxPendingRequests} requests in flight (the gateway's limit)`));
    }
    let index;
    do {
      this._nextIndex = (this._nextIndex + 1) & 0x7fffffff;
      index = this._nextIndex;
    } while (index === 0 || this._pending.has(index));
    const full = { ...packet, index };
    if (checkLimits && limits && encodeMessage(Schemas.Packet, full).length + 17 > limits.maxFrameLength) {
      return Promise.reject(new JanusError(Reason.FRAME_TOO_LARGE,
        `the packet exceeds the gateway's maxFrameLength ${limits.maxFrameLength}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this._pending.delete(index)) {
          reject(new JanusError(Reason.REQUEST_TIMEOUT, `no answer within ${this._opts.requestTimeoutMs} ms`));
        }
      }, this._opts.requestTimeoutMs);
      this._pending.set(index, { resolve, reject, timer });
      this._send(full).catch((e) => {
        if (this._pending.delete(index)) {
          clearTimeout(timer);
          reject(e);
        }
      });
    });
  }

  /**
   * Sends a request to a game module and resolves with the answer's body.
   * @param {number} module the game module, above 0
   * @param {number} seq the command
   * @param {Uint8Array|string} [body] the payload; a string is sent as UTF-8
   * @param {{obj?: number|bigint}} [options] the target object (room, match)
   * @returns {Promise<Uint8Array>} rejects with a JanusError (status and reason) or SessionClosedError
   */
  request(module, seq, body, options = {}) {
    checkModule(module);
    return this._call({ module, seq, obj: options.obj ?? 0, body: bytesOf(body, 'body') }, true);
  }

  /** Sends a one-way message (index 0): routed, never answered. */
  send(module, seq, body, options = {}) {
    checkModule(module);
    if (this._finished) {
      throw new SessionClosedError(this._finished);
    }
    this._send({ module, seq, obj: options.obj ?? 0, body: bytesOf(body, 'body') }).catch(() => {});
  }

  /**
   * Adds a push listener, called with `{module, seq, obj, body}` for every game push.
   * @returns {() => void} removes the listener
   */
  onPush(listener) {
    if (typeof listener !== 'function') {
      throw new TypeError('listener: a function');
    }
    this._pushListeners.push(listener);
    return () => {
      this._pushListeners = this._pushListeners.filter((l) => l !== listener);
    };
  }

  /** Adds a listener for system notices (section 8, NOTICE); returns its remover. */
  onNotice(listener) {
    if (typeof listener !== 'function') {
      throw new TypeError('listener: a function');
    }
    this._noticeListeners.push(listener);
    return () => {
      this._noticeListeners = this._noticeListeners.filter((l) => l !== listener);
    };
  }

  /** Sends a heartbeat now; resolves with the round-trip time in milliseconds. */
  async heartbeat() {
    const sent = performance.now();
    const body = encodeMessage(Schemas.Heartbeat, { clientTimeMs: Date.now(),
      lastRttMs: Math.max(0, this.rttMillis) });
    await this._call({ module: 0, seq: SystemSeq.HEARTBEAT, body }, true);
    this.rttMillis = Math.round(performance.now() - sent);
    return this.rttMillis;
  }

  _startHeartbeat(intervalMs) {
    if (intervalMs > 0) {
      this._heartbeatTimer = setInterval(() => {
        this.heartbeat().catch(() => {
          // A failed heartbeat shows in the close; the idle timeout is the gateway's judge.
        });
      }, intervalMs);
    }
  }

  /** Logs out: the gateway answers and closes with LOGGED_OUT. Resolves with the close reason. */
  logout() {
    this._closeReason ??= new CloseReason(Reason.LOGGED_OUT, 'logged out', false);
    this._call({ module: 0, seq: SystemSeq.LOGOUT, body: new Uint8Array(0) }, false).catch(() => {});
    return this.closed;
  }

  /** Closes the connection at once; pending requests fail with SessionClosedError. */
  close() {
    this._closeReason ??= new CloseReason(Reason.OK, 'closed by the client', false);
    this._finish(this._closeReason);
  }

  _onSocketClosed(code, text) {
    let reason = this._closeReason;
    if (!reason) {
      const named = Reason[String(text ?? '').split(/[\s:]/)[0]];
      reason = named !== undefined && named !== 0
        ? new CloseReason(named, `${text} (WebSocket close ${code})`, true)
        : new CloseReason(Reason.TRANSPORT_ERROR, `connection closed (WebSocket close ${code}${text ? ': ' + text : ''})`,
          true);
    }
    this._finish(reason);
  }

  _fail(error) {
    this._finish(new CloseReason(error.reason ?? Reason.TRANSPORT_ERROR, error.detail ?? String(error), false), error);
  }

  _finish(reason, error) {
    if (this._finished) {
      return;
    }
    this._finished = reason;
    clearTimeout(this._connectTimer);
    clearInterval(this._heartbeatTimer);
    for (const pending of this._pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new SessionClosedError(reason));
    }
    this._pending.clear();
    try {
      this._ws.close(1000);
    } catch {
      // Already closing.
    }
    if (!this.loginResponse) {
      this._connectReject(error ?? new JanusError(reason.reason, reason.message));
    }
    this._resolveClosed(reason);
  }
}

function checkModule(module) {
  if (!Number.isInteger(module) || module <= 0) {
    throw new RangeError(`module: ${module} (expected: > 0; 0 is the system module)`);
  }
}

/** The error of a failed answer: the reason from its ErrorDetail, or GAME_ERROR with the game status. */
function answerError(packet) {
  let message = '';
  try {
    message = decodeMessage(Schemas.ErrorDetail, packet.body).message;
  } catch {
    // A game error body that is not an ErrorDetail: the status alone.
  }
  const reason = packet.status >= FIRST_GAME_STATUS ? Reason.GAME_ERROR : packet.status;
  return new JanusError(reason, message || `status ${packet.status}`, packet.status);
}
