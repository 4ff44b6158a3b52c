// Type declarations of janus-client.js: the Janus browser client (docs/protocol.md, version 1, over
// WebSocket with WebCrypto).

/** Protocol version spoken by the client. */
export const PROTOCOL_VERSION: 1;

/** The janus.v1.Reason codes, name to number (janus-api/src/main/proto/janus/v1/packet.proto). */
export const Reason: Readonly<{
  OK: 0;
  FRAME_EMPTY: 100; FRAME_TOO_LARGE: 101; FRAME_TRUNCATED: 102; MALFORMED_PACKET: 103;
  PROTOCOL_VIOLATION: 104; HANDSHAKE_TIMEOUT: 105; TRANSPORT_ERROR: 106; HANDSHAKE_FAILED: 107;
  UNSUPPORTED_VERSION: 108; RECORD_INVALID: 109; BODY_TOO_LARGE: 110; CERTIFICATE_INVALID: 111;
  WS_BAD_REQUEST: 120; WS_BAD_UPGRADE: 121; WS_NOT_FOUND: 122; WS_ORIGIN_REFUSED: 123;
  WS_UPGRADE_TIMEOUT: 124; WS_UNSUPPORTED_DATA: 125; WS_PROTOCOL_ERROR: 126; WS_IDLE_TIMEOUT: 127;
  KCP_MALFORMED_SEGMENT: 130; KCP_UNKNOWN_COMMAND: 131; KCP_CONV_MISMATCH: 132; KCP_DEAD_LINK: 133;
  KCP_IDLE_TIMEOUT: 134; KCP_SESSION_LIMIT: 135;
  KCPGO_DATAGRAM_TOO_SHORT: 140; KCPGO_CHECKSUM_MISMATCH: 141; FEC_SHARD_SIZE_INVALID: 142;
  FEC_SHARD_TOO_LARGE: 143; FEC_NOT_CONFIGURED: 144; FEC_SHARD_COUNTS_MISMATCH: 145;
  SMUX_BAD_VERSION: 150; SMUX_BAD_COMMAND: 151; SMUX_BAD_LENGTH: 152; SMUX_UNKNOWN_STREAM: 153;
  SMUX_BAD_STREAM_ID: 154; SMUX_TOO_MANY_STREAMS: 155; SMUX_FLOW_CONTROL_VIOLATION: 156;
  SMUX_BAD_WINDOW_UPDATE: 157; SMUX_KEEPALIVE_TIMEOUT: 158;
  AUTH_FAILED: 200; TOKEN_INVALID: 201; TOKEN_EXPIRED: 202; TOKEN_REPLAYED: 203; AUTH_UNAVAILABLE: 204;
  BANNED: 205; TOKEN_TAMPERED: 206; TOKEN_UNKNOWN_KEY: 207; TOKEN_NOT_YET_VALID: 208;
  ATTESTATION_FAILED: 209;
  DUPLICATE_LOGIN: 300; IDLE_TIMEOUT: 301; SLOW_CONSUMER: 302; SERVER_SHUTDOWN: 303; SERVER_DRAIN: 304;
  KICKED: 305; LOGGED_OUT: 306;
  NO_ROUTE: 400; SERVICE_UNAVAILABLE: 401; REQUEST_TIMEOUT: 402; HANDLER_NOT_FOUND: 403;
  INTERNAL_ERROR: 404; GAME_ERROR: 405;
  CONNECTION_LIMIT: 500; CONNECTION_LIMIT_PER_IP: 501; TOO_MANY_PENDING_REQUESTS: 502; OVERLOADED: 503;
  RATE_LIMITED: 504; HANDSHAKE_RATE_LIMITED: 505;
}>;

/** A Reason name. */
export type ReasonName = keyof typeof Reason | 'UNRECOGNIZED';

/** First status defined by the game rather than by Janus. */
export const FIRST_GAME_STATUS: 1000;

/** The name of a reason code: GAME_ERROR for 1000 and above, UNRECOGNIZED for unknown codes. */
export function reasonName(code: number): ReasonName;

/** An error with a Janus reason code. */
export class JanusError extends Error {
  constructor(reason: number, message: string, status?: number);
  /** The Reason code; GAME_ERROR (405) for game statuses. */
  readonly reason: number;
  /** The Reason name. */
  readonly reasonName: ReasonName;
  /** The wire status of a failed answer: a Reason below 1000, a game status from 1000. */
  readonly status: number;
  /** The detail message, without the reason prefix. */
  readonly detail: string;
  /** Whether the status was defined by the game. */
  readonly isGameStatus: boolean;
}

/** A call failed because the session is closed. */
export class SessionClosedError extends JanusError {
  readonly closeReason: CloseReason;
}

/** Why a session closed. */
export interface CloseReason {
  /** The Reason code: OK when closed by the client, LOGGED_OUT after logout(), a kick's reason. */
  readonly reason: number;
  readonly reasonName: ReasonName;
  readonly message: string;
  /** Whether the gateway closed (a kick, or the connection ended), rather than this client. */
  readonly byServer: boolean;
  /** Where to reconnect, from a SERVER_DRAIN kick; empty otherwise. */
  readonly reconnectAddress: string;
}

/** A WebSocket constructor: the browser's, or a compatible one in Node.js (the npm package ws). */
export type WebSocketConstructor = new (url: string) => {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number): void;
};

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The pinned Ed25519 root public key(s): 32 bytes each, or base64 strings. */
  rootPublicKey: Uint8Array | string | Array<Uint8Array | string>;
  /** The login token (for the default authenticator, a sealed token from the game's login service). */
  token: string;
  /** Sent in the LoginRequest; default "janus-client-js/0.1". */
  clientVersion?: string;
  /** Local timeout of each request, ms; default 10000. */
  requestTimeoutMs?: number;
  /** Bound of the handshake and login, ms; default 10000 (HANDSHAKE_TIMEOUT). */
  connectTimeoutMs?: number;
  /** Allowed certificate clock skew, seconds; default 300. */
  certificateSkewSeconds?: number;
  /** Most frames waiting to be decrypted or sealed before the session fails; default 1024. */
  maxQueuedFrames?: number;
  /** Records sealed under one key before the client sends a key update; 1 to 2^23 (the default). */
  recordsPerKey?: number;
  /** The clock for the certificate check, Unix ms; default Date.now. */
  now?: () => number;
  /** WebSocket implementation; default globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
}

/** A push from the game (index 0). */
export interface Push {
  module: number;
  seq: number;
  obj: number | bigint;
  body: Uint8Array;
}

/** The gateway's LoginResponse. 64-bit values are numbers when safe integers, bigint otherwise. */
export interface LoginResponse {
  sessionId: number | bigint;
  playerId: number | bigint;
  heartbeatIntervalMs: number;
  idleTimeoutMs: number;
  serverTimeMs: number | bigint;
  maxFrameLength: number;
  maxPendingRequests: number;
}

/** A logged-in session. */
export class Session {
  /** The gateway's login answer. */
  readonly loginResponse: LoginResponse;
  readonly sessionId: number | bigint;
  readonly playerId: number | bigint;
  /** The certificate's key id of the gateway. */
  readonly gatewayKeyId: string;
  /** SHA-256 of both hellos (for client attestation). */
  readonly transcriptHash: Uint8Array;
  /** Round trip of the last heartbeat, ms; -1 before the first. */
  readonly rttMillis: number;
  readonly isActive: boolean;
  /** Resolves once, when the session ends, with why. Never rejects. */
  readonly closed: Promise<CloseReason>;

  /**
   * Sends a request; resolves with the answer's body. Rejects with a JanusError (the gateway's reason or
   * the game's status, TOO_MANY_PENDING_REQUESTS over the gateway's limit, REQUEST_TIMEOUT locally) or a
   * SessionClosedError.
   * @param module game module, above 0
   * @param body bytes, or a string sent as UTF-8
   */
  request(module: number, seq: number, body?: Uint8Array | ArrayBuffer | string,
    options?: { obj?: number | bigint }): Promise<Uint8Array>;
  /** Sends a one-way message (never answered). */
  send(module: number, seq: number, body?: Uint8Array | ArrayBuffer | string, options?: { obj?: number | bigint }): void;
  /** Adds a push listener; returns its remover. */
  onPush(listener: (push: Push) => void): () => void;
  /** Adds a system notice listener; returns its remover. */
  onNotice(listener: (text: string) => void): () => void;
  /** Sends a heartbeat now; resolves with the round trip in ms. The session also sends them on a timer. */
  heartbeat(): Promise<number>;
  /** Logs out; resolves with the close reason (LOGGED_OUT). */
  logout(): Promise<CloseReason>;
  /** Closes at once (reason OK); pending requests fail with SessionClosedError. */
  close(): void;
}

/**
 * Connects over WebSocket, runs the handshake (verifying the gateway certificate against the pinned root
 * keys) and logs in. Rejects with a JanusError: CERTIFICATE_INVALID, HANDSHAKE_FAILED, a HandshakeError's
 * reason, the authenticator's reason (TOKEN_INVALID, TOKEN_EXPIRED, ...), HANDSHAKE_TIMEOUT, or
 * TRANSPORT_ERROR when the connection fails.
 * @param url ws:// or wss:// URL of the gateway's WebSocket path, e.g. ws://127.0.0.1:8080/janus
 */
export function connect(url: string, options: ConnectOptions): Promise<Session>;

// ---- Lower layers, exported for tests and tools ----

export const SystemSeq: Readonly<{ LOGIN: 1; HEARTBEAT: 2; KICK: 3; NOTICE: 4; LOGOUT: 5 }>;
export type FieldType = 'uint32' | 'int32' | 'int64' | 'uint64' | 'bytes' | 'string';
export type Schema = Readonly<Record<number, readonly [string, FieldType]>>;
export const Schemas: Readonly<{
  Packet: Schema; ErrorDetail: Schema; LoginRequest: Schema; LoginResponse: Schema; Heartbeat: Schema;
  Kick: Schema; Notice: Schema;
}>;
export function encodeMessage(schema: Schema, message: Record<string, unknown>): Uint8Array;
/** @throws JanusError MALFORMED_PACKET */
export function decodeMessage(schema: Schema, bytes: Uint8Array): Record<string, any>;

export function fromHex(hex: string): Uint8Array;
export function toHex(bytes: Uint8Array): string;
export function fromBase64(text: string): Uint8Array;
export function concat(...parts: Uint8Array[]): Uint8Array;

export function sha256(data: Uint8Array): Promise<Uint8Array>;
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Promise<Uint8Array>;
export function hkdfExpand(prk: Uint8Array, info: string | Uint8Array, length: number): Promise<Uint8Array>;
export function deriveSessionSecrets(shared: Uint8Array, clientHello: Uint8Array, serverHello: Uint8Array): Promise<{
  transcript: Uint8Array; prk: Uint8Array; c2s: Uint8Array; s2c: Uint8Array; resume: Uint8Array;
}>;
export function trafficKeys(secret: Uint8Array): Promise<{ key: Uint8Array; iv: Uint8Array }>;
export function nextSecret(secret: Uint8Array): Promise<Uint8Array>;
export function x25519KeyPair(privateKey?: Uint8Array): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }>;
export function x25519(privateKey: CryptoKey, peerPublicKey: Uint8Array): Promise<Uint8Array>;
export function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>;
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
export function ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;

export interface ServerHello {
  compression: boolean;
  ephemeralPublicKey: Uint8Array;
  random: Uint8Array;
  compressionThreshold: number;
  certificate: Uint8Array;
  signedPart: Uint8Array;
  signature: Uint8Array;
}
export function encodeClientHello(ephemeralPublicKey: Uint8Array, random: Uint8Array, acceptCompression: boolean): Uint8Array;
export function decodeServerHello(frame: Uint8Array): ServerHello;
export function decodeHandshakeError(frame: Uint8Array): { reason: number; message: string };
export function verifyCertificate(certificate: Uint8Array, rootPublicKeys: Uint8Array[], nowSeconds: number,
  skewSeconds: number): Promise<{ keyId: string; gatewayPublicKey: Uint8Array; notBefore: bigint; notAfter: bigint }>;
export function verifyHandshakeSignature(gatewayPublicKey: Uint8Array, clientHello: Uint8Array,
  serverHello: ServerHello): Promise<void>;

export const RECORD_PACKET: 0x17;
export const RECORD_KEY_UPDATE: 0x18;
export const MAX_RECORDS_PER_KEY: number;
export const KEY_UPDATE_AFTER: number;
/** One direction of the record layer. */
export class RecordCipher {
  static create(secret: Uint8Array): Promise<RecordCipher>;
  readonly counter: number;
  nonce(): Uint8Array;
  seal(type: number, plaintext: Uint8Array): Promise<Uint8Array>;
  /** @throws JanusError RECORD_INVALID */
  open(record: Uint8Array): Promise<{ type: number; plaintext: Uint8Array }>;
  update(): Promise<void>;
}
