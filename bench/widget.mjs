// Widget figures in headless Chromium, printed as one JSON line:
// - bytes of the loader and the wasm (raw, gzip, brotli) as served;
// - page load to interactive on the demo page (navigation start to the
//   widget's `deflect:ready` event, fresh browser context each time, so
//   nothing is cached), through the local edge and from a plain static
//   server with brotli;
// - per-keystroke match time for the banking77 KB: the shared matcher's
//   wasm build (as in the widget) answers every prefix of every dev
//   question in a cross-origin-isolated page (5 µs timer resolution).
//
//   DEFLECT_URL=http://127.0.0.1:8796 node bench/widget.mjs <eval dir> <bench-matcher glue .js>
import { chromium } from 'playwright-core';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import http from 'node:http';
import path from 'node:path';

const [evalDir, glue] = process.argv.slice(2);
const edge = process.env.DEFLECT_URL;
if (!edge || !glue) throw new Error('usage: DEFLECT_URL=… node bench/widget.mjs <eval dir> <glue.js>');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function sizes(file) {
  const b = readFileSync(file);
  return {
    raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}
const wasmName = readdirSync(path.join(ROOT, 'www/widget')).find((f) => f.endsWith('.wasm'));
const bytes = { loader: sizes(path.join(ROOT, 'www/widget.js')), wasm: sizes(path.join(ROOT, 'www/widget', wasmName)) };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** Navigation start to `deflect:ready` on `url`, 20 fresh contexts (after
 * one that warms the server), sorted. */
async function loadTimes(url) {
  const times = [];
  for (let i = 0; i < 21; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.addEventListener('deflect:ready', () => { window.__ready = performance.now(); });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__ready !== undefined);
    const t = await page.evaluate(() => window.__ready);
    if (i > 0) times.push(t);
    await context.close();
  }
  return times.sort((a, b) => a - b);
}
const summary = (t) => ({ runs: t.length, median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)], min: t[0] });

// Through the local edge (wrangler dev: a node proxy in front of workerd,
// compressing with gzip on every request).
const loads = await loadTimes(`${edge}/demo/`);

// The same files from a plain static server with brotli, as Cloudflare's
// CDN serves the widget's assets in production.
const statics = {
  '/demo/': ['text/html', 'www/demo/index.html'],
  '/demo/demo.css': ['text/css', 'www/demo/demo.css'],
  '/widget.js': ['text/javascript', 'www/widget.js'],
  [`/widget/${wasmName}`]: ['application/wasm', `www/widget/${wasmName}`],
};
// Compressed once, as a CDN keeps them.
const compressed = Object.fromEntries(
  Object.entries(statics).map(([url, [type, file]]) => [url, [type, brotliCompressSync(readFileSync(path.join(ROOT, file)))]]),
);
const cdn = http.createServer((req, res) => {
  const f = compressed[new URL(req.url, 'http://x').pathname];
  if (!f) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': f[0], 'content-encoding': 'br' });
  res.end(f[1]);
});
await new Promise((r) => cdn.listen(0, '127.0.0.1', r));
const staticLoads = await loadTimes(`http://127.0.0.1:${cdn.address().port}/demo/`);
cdn.close();

// Per keystroke.
const dir = path.dirname(path.resolve(glue));
const files = {
  '/': { type: 'text/html', body: '<!doctype html><title>bench</title>' },
  '/glue.js': { type: 'text/javascript', body: readFileSync(path.resolve(glue)) },
  '/glue_bg.wasm': { type: 'application/wasm', body: readFileSync(path.resolve(glue).replace(/\.js$/, '_bg.wasm')) },
  '/kb.jsonl': { type: 'text/plain', body: readFileSync(path.join(evalDir, 'banking77/kb.jsonl')) },
  '/dev.jsonl': { type: 'text/plain', body: readFileSync(path.join(evalDir, 'banking77/dev.jsonl')) },
};
const server = http.createServer((req, res) => {
  const f = files[req.url];
  if (!f) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, {
    'content-type': f.type,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  res.end(f.body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
const keystroke = await page.evaluate(async () => {
  const { default: init, Matcher } = await import('/glue.js');
  await init({ module_or_path: '/glue_bg.wasm' });
  const kb = await (await fetch('/kb.jsonl')).text();
  const t0 = performance.now();
  const built = Matcher.build(kb);
  const buildMs = performance.now() - t0;
  const bytes = built.encode();
  const t1 = performance.now();
  const m = Matcher.decode(bytes);
  const loadMs = performance.now() - t1;
  const questions = (await (await fetch('/dev.jsonl')).text()).split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
  const per = [];
  for (const q of questions) {
    for (let n = 1; n <= q.length; n++) {
      const t = performance.now();
      m.search(q.slice(0, n), n < q.length);
      per.push(performance.now() - t);
    }
  }
  per.sort((a, b) => a - b);
  const at = (p) => per[Math.min(per.length - 1, Math.floor(p * per.length))] * 1000;
  return {
    isolated: self.crossOriginIsolated, keystrokes: per.length, index_bytes: bytes.length,
    build_ms: buildMs, decode_ms: loadMs,
    median_us: at(0.5), p90_us: at(0.9), p99_us: at(0.99), max_us: per[per.length - 1] * 1000,
  };
});
server.close();
await browser.close();
console.log(JSON.stringify({
  bytes,
  interactive_ms: summary(loads),
  interactive_static_ms: summary(staticLoads),
  keystroke,
}));
