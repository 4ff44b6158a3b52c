// The chat demo page is served from janus-examples' class path, which holds a copy of the client: the
// copy must be the client itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('the chat demo serves the same janus-client.js', () => {
  const client = readFileSync(new URL('../janus-client.js', import.meta.url), 'utf8');
  const copyUrl = new URL('../../janus-examples/src/main/resources/janus-demo/chat/janus-client.js', import.meta.url);
  const copy = readFileSync(copyUrl, 'utf8');
  assert.ok(copy === client, `${copyUrl.pathname} differs from janus-client-js/janus-client.js: `
    + 'copy it over (cp janus-client-js/janus-client.js janus-examples/src/main/resources/janus-demo/chat/)');
});
