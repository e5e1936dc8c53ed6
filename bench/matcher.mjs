// Times the shared KB matcher (its wasm build) and MiniSearch 7 side by side
// in this node process, on the same KB and questions from
// ../shared/eval/<dataset>, and prints one JSON line per dataset.
//
//   node bench/matcher.mjs <eval dir> <glue .js of deflect-bench-matcher> [dataset...]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';

const [evalDir, glue, ...names] = process.argv.slice(2);
const { initSync, Matcher } = await import(path.resolve(glue));
initSync({ module: readFileSync(path.resolve(glue).replace(/\.js$/, '_bg.wasm')) });

const lines = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const now = () => process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;

/** Median and p99 of per-call microseconds over `rounds` passes. */
function time(questions, rounds, fn) {
  for (const q of questions) fn(q); // warm-up pass
  const per = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of questions) {
      const t = now();
      fn(q);
      per.push(Number(now() - t) / 1e3);
    }
  }
  per.sort((a, b) => a - b);
  const at = (p) => per[Math.min(per.length - 1, Math.floor(p * per.length))];
  return { median_us: at(0.5), p99_us: at(0.99), mean_us: per.reduce((a, b) => a + b, 0) / per.length };
}

function accuracy(questions, top) {
  let t1 = 0, t3 = 0;
  for (const q of questions) {
    const ids = top(q.text);
    if (ids[0] === q.expected) t1++;
    if (ids.slice(0, 3).includes(q.expected)) t3++;
  }
  return { top1: t1 / questions.length, top3: t3 / questions.length };
}

for (const name of names.length ? names : ['banking77', 'clinc150']) {
  const dir = path.join(evalDir, name);
  const kbText = readFileSync(path.join(dir, 'kb.jsonl'), 'utf8');
  const kb = lines(path.join(dir, 'kb.jsonl'));
  const questions = lines(path.join(dir, 'dev.jsonl'));

  let t = now();
  const built = Matcher.build(kbText);
  const deflectBuild = ms(t, now());
  const bytes = built.encode();
  t = now();
  const deflect = Matcher.decode(bytes);
  const deflectLoad = ms(t, now());

  t = now();
  const mini = new MiniSearch({ fields: ['title', 'body'], storeFields: ['id'] });
  mini.addAll(kb);
  const miniBuild = ms(t, now());
  const miniIndexBytes = Buffer.byteLength(JSON.stringify(mini));

  const deflectTop = (q) => deflect.search(q, false);
  const miniTop = (q) => mini.search(q).slice(0, 3).map((r) => r.id);
  const texts = questions.map((q) => q.text);
  const rounds = 5;
  const out = {
    dataset: name,
    articles: kb.length,
    questions: questions.length,
    deflect: {
      build_ms: deflectBuild, load_ms: deflectLoad, index_bytes: bytes.length,
      ...time(texts, rounds, deflectTop), ...accuracy(questions, deflectTop),
    },
    minisearch: {
      build_ms: miniBuild, index_bytes: miniIndexBytes,
      ...time(texts, rounds, miniTop), ...accuracy(questions, miniTop),
    },
  };
  console.log(JSON.stringify(out));
}
