// Dashboard figures in headless Chromium, printed as one JSON line:
// - bytes of what the dashboard loads (page, style, boot script, glue,
//   wasm), raw, gzip and brotli;
// - navigation start to the login form drawn (wasm downloaded, compiled,
//   instantiated, mounted), a fresh browser context each time, so nothing
//   is cached;
// - for a logged-in agent, also from a fresh context (nothing cached but
//   the session cookie): navigation start to the queue's first rows drawn,
//   with `TICKETS` tickets waiting, and to a ticket page's thread drawn.
//
//   DEFLECT_URL=http://127.0.0.1:8797 node bench/dashboard.mjs
import { chromium } from 'playwright-core';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';

const edge = process.env.DEFLECT_URL;
if (!edge) throw new Error('usage: DEFLECT_URL=… node bench/dashboard.mjs');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const TICKETS = 200;
const RUNS = 15;

function sizes(file) {
  const b = readFileSync(path.join(ROOT, file));
  return {
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}
const wasmName = readdirSync(path.join(ROOT, 'www/dashboard/pkg')).find((f) => f.endsWith('.wasm'));
const bytes = {
  page: sizes('www/dashboard/index.html'),
  style: sizes('www/dashboard/dashboard.css'),
  scripts: [sizes('www/dashboard/pkg/boot.js'), sizes('www/dashboard/pkg/deflect_dashboard.js')]
    .reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli })),
  wasm: sizes(`www/dashboard/pkg/${wasmName}`),
};

// The admin's password, as the local edge has it.
const password = /^DEFLECT_ADMIN_PASSWORD=(.*)$/m.exec(readFileSync(path.join(ROOT, 'edge/.dev.vars'), 'utf8'))[1].trim();
const headers = (ip) => ({ 'content-type': 'application/json', 'x-deflect-csrf': '1', 'cf-connecting-ip': ip });

// Tickets waiting in the queue, from as many customers.
const run = Date.now().toString(36);
let firstTicket;
for (let i = 0; i < TICKETS; i++) {
  const r = await fetch(`${edge}/v1/tickets`, {
    method: 'POST',
    headers: { ...headers(`10.9.${i >> 8}.${i & 255}`), 'idempotency-key': `bench-${run}-${i}` },
    body: JSON.stringify({
      site: 'demo',
      customer: { email: `bench-${run}-${i}@example.com`, name: `Customer ${i}` },
      message: `My order ${i} has not arrived and the tracking page says nothing. Can you help?`,
      locale: 'en',
    }),
  });
  if (r.status !== 201) throw new Error(`ticket ${i}: ${r.status} ${await r.text()}`);
  firstTicket ??= (await r.json()).ticket.id;
}
const login = await fetch(`${edge}/v1/auth/login`, {
  method: 'POST',
  headers: headers('10.8.0.1'),
  body: JSON.stringify({ email: 'admin@deflect.local', password }),
});
if (login.status !== 200) throw new Error(`login: ${login.status}`);
const [name, value] = login.headers.get('set-cookie').split(';')[0].split('=');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** Navigation start to the first element matching `selector` on `url`,
 * `RUNS` fresh contexts (after one that warms the server), sorted. */
async function drawTimes(url, selector, loggedIn) {
  const times = [];
  for (let i = 0; i <= RUNS; i++) {
    const context = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': `10.7.0.${i + 1}` } });
    if (loggedIn) await context.addCookies([{ name, value, url: edge }]);
    const page = await context.newPage();
    await page.addInitScript((selector) => {
      new MutationObserver((_, seen) => {
        if (document.querySelector(selector)) {
          window.__drawn = performance.now();
          seen.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    }, selector);
    await page.goto(url);
    await page.waitForFunction(() => window.__drawn !== undefined, null, { timeout: 30_000 });
    if (i > 0) times.push(await page.evaluate(() => window.__drawn));
    await context.close();
  }
  return times.sort((a, b) => a - b);
}
const summary = (t) => ({ runs: t.length, median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)], min: t[0] });

const loginForm = summary(await drawTimes(`${edge}/dashboard/`, '#email', false));
const queue = summary(await drawTimes(`${edge}/dashboard/#/queue`, 'tr.ticket-row', true));
const ticket = summary(await drawTimes(`${edge}/dashboard/#/ticket/${firstTicket}`, 'ol.thread li.msg', true));
await browser.close();
console.log(JSON.stringify({ bytes, tickets: TICKETS, login: loginForm, queue, ticket }));
