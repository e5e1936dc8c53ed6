// Helpers for the browser tests: Debian's Chromium driven by
// playwright-core, pages served by the real local edge, and D1 read through
// wrangler. `cargo xtask test` starts the edges and sets the environment.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests with \`cargo xtask test\``);
  return v;
}

/** The edge the widget tests use, and where its D1 lives. */
export const edge = () => ({ url: need('DEFLECT_URL'), persist: need('DEFLECT_PERSIST') });
/** A fresh edge of its own for the dashboard tests (exact metrics). */
export const dashEdge = () => ({ url: need('DEFLECT_DASH_URL'), persist: need('DEFLECT_DASH_PERSIST') });
/** A second origin the admin allowed: a customer's own site. */
export const hostOrigin = () => need('DEFLECT_HOST_ORIGIN');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
}

/** Fails the test on any page error or dialog (an injected alert()). */
export function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => { problems.push(`a dialog opened: ${d.message()}`); await d.dismiss(); });
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon|status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`); });
  return problems;
}

/** The widget's parts; Playwright's CSS locators pierce the open shadow root. */
export const w = (page) => ({
  host: page.locator('deflect-widget'),
  launcher: page.locator('deflect-widget .dfl-launcher'),
  panel: page.locator('deflect-widget #dfl-panel'),
  input: page.locator('deflect-widget #dfl-q'),
  log: page.locator('deflect-widget .dfl-log'),
  person: page.locator('deflect-widget .dfl-person'),
});

/** Opens the widget on the current page and waits for the KB index. */
export async function openWidget(page) {
  await w(page).launcher.click();
  await w(page).input.waitFor();
}

/** Collects `deflect:ticket-created` events from the page. */
export async function collectTickets(page) {
  await page.evaluate(() => {
    window.__tickets = [];
    window.addEventListener('deflect:ticket-created', (e) => window.__tickets.push(e.detail));
  });
}

/** Waits until the page reported `n` created tickets; returns them. */
export async function createdTickets(page, n = 1) {
  await page.waitForFunction((n) => window.__tickets && window.__tickets.length >= n, n, { timeout: 20_000 });
  return page.evaluate(() => window.__tickets);
}

/** Asks a question in the chat. */
export async function ask(page, text) {
  const { input } = w(page);
  await input.fill(text);
  await input.press('Enter');
}

/** Fills and sends the ticket form. */
export async function leaveTicket(page, { email, name, message }) {
  await page.locator('deflect-widget #dfl-email').fill(email);
  if (name !== undefined) await page.locator('deflect-widget #dfl-name').fill(name);
  if (message !== undefined) await page.locator('deflect-widget #dfl-message').fill(message);
  await page.locator('deflect-widget .dfl-form button[type=submit]').click();
}

/** Rows of a local D1, read with wrangler (the same SQLite the edge writes). */
export function d1(persist, sql) {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/wrangler'),
      ['d1', 'execute', 'DB', '--local', '--json', '--persist-to', persist, '--command', sql],
      { cwd: path.join(ROOT, 'edge'), env: { ...process.env, CI: 'true' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const out = (r.stdout || '') + (r.stderr || '');
    if (r.status === 0) return JSON.parse(out.slice(out.indexOf('[')))[0].results;
    if (/SQLITE_BUSY/.test(out) && attempt < 10) { spawnSync('sleep', ['0.3']); continue; }
    throw new Error(`wrangler d1 execute failed: ${out}`);
  }
}

/**
 * The mail the local edge has sent that contains `needle` (in its raw
 * text), as { raw, text }: wrangler writes each to an .eml file and logs
 * the path in the edge's log, in `persist`. `text` is the first part,
 * decoded from base64, as the desk sends it.
 */
export function sentMails(persist, needle) {
  const logs = readdirSync(persist).filter((n) => n.startsWith('wrangler-')).map((n) => readFileSync(path.join(persist, n), 'utf8'));
  const paths = new Set(logs.join('\n').split(/\s+/).filter((w) => w.endsWith('.eml')).map((w) => w.replace(/\x1b\[[0-9;]*m/g, '')));
  return [...paths].filter((p) => existsSync(p)).map((p) => readFileSync(p, 'utf8')).filter((raw) => raw.includes(needle)).map((raw) => {
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    return { raw, text: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') };
  });
}

/** The admin password from edge/.dev.vars. */
export function adminPassword() {
  const text = readFileSync(path.join(ROOT, 'edge/.dev.vars'), 'utf8');
  return /^DEFLECT_ADMIN_PASSWORD=(.*)$/m.exec(text)[1].trim();
}
export const ADMIN_EMAIL = 'admin@deflect.local';

/** One admin API call from node (a fresh login each time); the JSON. */
export async function adminApi(url, method, path, body) {
  return staffApi(url, ADMIN_EMAIL, adminPassword(), method, path, body);
}

/** One API call from node as the agent with this e-mail and password (a
 * fresh login each time); the JSON. */
export async function staffApi(url, email, password, method, path, body) {
  const headers = { 'content-type': 'application/json', 'x-deflect-csrf': '1', 'cf-connecting-ip': unique('staff-api') };
  const login = await fetch(`${url}/v1/auth/login`, {
    method: 'POST', headers, body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`login as ${email}: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const r = await fetch(`${url}${path}`, { method, headers: { ...headers, cookie }, body: body && JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** Serves `pages` ({ path: { body, type, headers } }) on 127.0.0.1:port. */
export function serve(port, pages) {
  const server = http.createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    if (!page) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': page.type || 'text/html; charset=utf-8', ...(page.headers || {}) });
    res.end(page.body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export function screenshotPath(name) {
  mkdirSync(path.join(ARTIFACTS, 'screenshots'), { recursive: true });
  return path.join(ARTIFACTS, 'screenshots', name);
}

/** A value no other test uses. */
/** Waits for `check` to hold, asking every 200 ms; fails after `ms`
 * with `what`. For what the page does in the background (a retry, a
 * flush), where there is no element to wait for. */
export async function until(check, what = 'the condition', ms = 20000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const unique = (p) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * axe-core's accessibility violations on the page, or only inside
 * `include` (an axe context such as `{ include: [['deflect-widget', '.dfl-root']] }`),
 * one line each. Injects axe when the page lacks it: the context must bypass
 * the page's CSP.
 */
export async function axeViolations(page, include = null) {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  }
  return page.evaluate(async (include) => {
    const r = await window.axe.run(include ?? document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  }, include);
}
