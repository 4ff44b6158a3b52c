// Browser end-to-end driver for BrowserChatE2ETest (janus-examples): opens the chat demo page in the
// system Chromium (headless, through playwright-core), connects, joins the room, says a message, and
// waits for the push the test's Java session sends back. Talks to the test over stdout, one line per
// step: "JOINED", "SAID", then "DONE <json>" or "FAIL <why>"; exit status 0 only after DONE.
//
// Usage: node browser-chat.mjs <page url> <screenshot path> [chromium path]
// Every wait is bounded; the whole run is cut off after RUN_LIMIT_MS.
import { chromium } from 'playwright-core';

const [pageUrl, screenshotPath, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
const STEP_MS = 15_000;
const RUN_LIMIT_MS = 50_000;
const EXPECTED_PUSH = process.env.JANUS_E2E_EXPECT ?? 'hello from java';
const SAID = process.env.JANUS_E2E_SAY ?? 'hello from the browser';

if (!pageUrl || !screenshotPath) {
  console.log('FAIL usage: node browser-chat.mjs <page url> <screenshot path> [chromium path]');
  process.exit(2);
}

const cutOff = setTimeout(() => {
  console.log(`FAIL no result within ${RUN_LIMIT_MS} ms`);
  process.exit(3);
}, RUN_LIMIT_MS);

let browser;
let page;
let exitCode = 1;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: STEP_MS,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-extensions'],
  });
  page = await browser.newPage({ viewport: { width: 900, height: 800 } });
  page.setDefaultTimeout(STEP_MS);
  page.on('console', (message) => console.error(`[page ${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));

  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.click('#connect');
  await page.waitForFunction(() => /^in room /.test(document.getElementById('status').textContent)
    || /^failed|^closed/.test(document.getElementById('status').textContent));
  const status = await page.textContent('#status');
  if (!status.startsWith('in room ')) {
    throw new Error(`the page did not join: ${status}`);
  }
  console.log('JOINED');

  await page.fill('#message', SAID);
  await page.click('#send');
  console.log('SAID');
  await page.waitForFunction((text) => [...document.querySelectorAll('#log li.push')]
    .some((li) => li.textContent.includes(text)), EXPECTED_PUSH);

  const log = await page.$$eval('#log li', (items) => items.map((li) => `${li.className}|${li.textContent}`));
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`DONE ${JSON.stringify({ status: await page.textContent('#status'), log })}`);
  exitCode = 0;
} catch (e) {
  if (page) {
    await page.screenshot({ path: screenshotPath, fullPage: true }).catch(() => {});
    console.error(`[page status] ${await page.textContent('#status').catch(() => '?')}`);
  }
  console.log(`FAIL ${String(e.message ?? e).split('\n')[0]}`);
} finally {
  await browser?.close().catch(() => {});
  clearTimeout(cutOff);
}
process.exit(exitCode);
