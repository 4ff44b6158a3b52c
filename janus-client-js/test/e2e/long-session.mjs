// Node.js end-to-end driver for JsSessionE2ETest: a session against a gateway configured with short
// timers, few records per key and a low compression threshold. The client's heartbeat timer must keep
// the session past the idle timeout, key updates in both directions must go unnoticed, and large
// answers must come uncompressed because the client declined compression. Prints "RESULT <name> <json>"
// lines, then "END"; every wait is bounded.
//
// Usage: node long-session.mjs <ws url> <root key base64> <token> <idle timeout ms>
import WebSocket from 'ws';
import { connect } from '../../janus-client.js';

const [url, root, token, idleText] = process.argv.slice(2);
const idleMs = Number(idleText);
const RUN_LIMIT_MS = 30_000;
const cutOff = setTimeout(() => {
  console.log(`FAIL no end within ${RUN_LIMIT_MS} ms`);
  process.exit(3);
}, RUN_LIMIT_MS);
const report = (name, value) => console.log(`RESULT ${name} ${JSON.stringify(value,
  (k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let exitCode = 0;
try {
  // The client sends a key update every 3 records.
  const session = await connect(url, { rootPublicKey: root, token, WebSocket, recordsPerKey: 3,
    requestTimeoutMs: 5000, connectTimeoutMs: 5000 });
  report('login', { heartbeatIntervalMs: session.loginResponse.heartbeatIntervalMs,
    idleTimeoutMs: session.loginResponse.idleTimeoutMs });

  const big = 'x'.repeat(3000);
  let same = 0;
  for (let i = 0; i < 30; i++) {
    const body = i % 5 === 0 ? big + i : `r${i}`;
    if (new TextDecoder().decode(await session.request(1, 1, body)) === body) {
      same++;
    }
  }
  report('echoesAcrossKeyUpdates', same);

  // Only the heartbeat timer talks now, for two and a half idle timeouts.
  await sleep(Math.round(idleMs * 2.5));
  report('afterIdle', { active: session.isActive, rttMillis: session.rttMillis });

  session.close();
  report('closed', await session.closed);
} catch (e) {
  console.log(`FAIL ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  exitCode = 1;
}
console.log('END');
clearTimeout(cutOff);
process.exit(exitCode);
