// Node.js end-to-end driver for JsSessionE2ETest (janus-examples): runs janus-client.js against a real
// gateway over WebSocket (the npm package ws stands in for the browser's WebSocket) and prints one line
// per scenario, "RESULT <name> <json>", for the test to assert; "READY_FOR_DRAIN" asks the test to drain
// the gateway, and "END" closes the run. Every wait is bounded; the run is cut off after RUN_LIMIT_MS.
//
// Usage: node session-scenarios.mjs <ws url> <root key base64> <token A> <token B>
import WebSocket from 'ws';
import { connect, JanusError } from '../../janus-client.js';

const [url, root, tokenA, tokenB] = process.argv.slice(2);
const RUN_LIMIT_MS = 40_000;
const cutOff = setTimeout(() => {
  console.log(`FAIL no end within ${RUN_LIMIT_MS} ms`);
  process.exit(3);
}, RUN_LIMIT_MS);

const options = (token, extra = {}) => ({ rootPublicKey: root, token, WebSocket, requestTimeoutMs: 5000,
  connectTimeoutMs: 5000, ...extra });
const text = (bytes) => new TextDecoder().decode(bytes);
// 64-bit ids (session ids are random uint64) come back as BigInt when past 2^53: printed as strings.
const report = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value,
  (k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);

function errorOf(e) {
  return e instanceof JanusError
    ? { error: e.name, reason: e.reason, reasonName: e.reasonName, status: e.status, detail: e.detail }
    : { error: String(e) };
}

async function outcome(promise) {
  try {
    const value = await promise;
    return { ok: true, value };
  } catch (e) {
    return { ok: false, ...errorOf(e) };
  }
}

function within(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

let exitCode = 0;
try {
  const badToken = await outcome(connect(url, options('let-me-in')));
  report('badToken', badToken);

  const otherRoot = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  report('otherRoot', await outcome(connect(url, { ...options(tokenA), rootPublicKey: otherRoot })));

  const session = await connect(url, options(tokenA));
  report('login', { playerId: session.playerId, sessionId: session.sessionId, keyId: session.gatewayKeyId,
    heartbeatIntervalMs: session.loginResponse.heartbeatIntervalMs,
    maxPendingRequests: session.loginResponse.maxPendingRequests });
  report('echo', text(await session.request(1, 1, 'ping')));
  const echoes = await Promise.all(Array.from({ length: 50 }, (_, i) => session.request(1, 1, `n${i}`)));
  report('echoes', echoes.map(text).every((t, i) => t === `n${i}`));
  const rtt = await session.heartbeat();
  report('heartbeat', { rtt, rttMillis: session.rttMillis });
  report('sayOutsideRoom', await outcome(session.request(3, 2, 'hi', { obj: 9 })));
  report('unknownModule', await outcome(session.request(42, 1, '')));
  report('replayedToken', await outcome(connect(url, options(tokenA))));
  const loggedOut = await within(session.logout(), 5000, 'logout');
  report('logout', loggedOut);
  report('afterClose', await outcome(session.request(1, 1, 'late')));

  const drained = await connect(url, options(tokenB));
  console.log('READY_FOR_DRAIN');
  const why = await within(drained.closed, 15000, 'drain kick');
  report('drain', why);
  report('afterDrain', await outcome(drained.request(1, 1, 'late')).then((o) => ({ ...o,
    isSessionClosed: o.error === 'SessionClosedError' })));
} catch (e) {
  console.log(`FAIL ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  exitCode = 1;
}
console.log('END');
clearTimeout(cutOff);
process.exit(exitCode);
