// Synthetic scale check of the keyword index: N documents made from the real arXiv sample
// (repeated with fresh ids), then build time, memory and query latency.
//   node --expose-gc --import tsx bench/keyword-scale.ts --n 1000000
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readLines } from "../src/search/beir.js";
import { KeywordIndex, type KeywordDoc } from "../src/search/keyword.index.js";
import { words } from "../src/search/tokenize.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: resolve(repoRoot, "../shared/data/arxiv-daily-cs") },
    n: { type: "string", default: "74728" },
    queries: { type: "string", default: "300" },
    snapshot: { type: "boolean", default: true },
  },
});
const N = Number(args.n);
const Q = Number(args.queries);
const dir = resolve(process.cwd(), args.data ?? "");

interface Paper {
  title: string;
  abstract: string;
  authors: string;
}
const papers: Paper[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith(".jsonl.gz")).sort()) {
  for await (const line of readLines(join(dir, f))) {
    const o = JSON.parse(line) as { title?: string; abstract?: string; authors?: string[] };
    papers.push({ title: o.title ?? "", abstract: o.abstract ?? "", authors: (o.authors ?? []).join(", ") });
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (x: number): string => `${(x / 2 ** 20).toFixed(0)} MB`;
function memory(): { heap: number; rss: number; external: number } {
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, external: m.arrayBuffers };
}

function* corpus(n: number): Generator<KeywordDoc> {
  for (let i = 0; i < n; i++) {
    const p = papers[i % papers.length];
    yield { id: i + 1, title: p.title, authors: p.authors, abstract: p.abstract };
  }
}

const before = memory();
let t = performance.now();
const index = new KeywordIndex();
index.addAll(corpus(N));
const buildMs = performance.now() - t;
const after = memory();
const st = index.stats();
console.log(`docs ${N} (from ${papers.length} real papers), terms ${st.terms}, postings ${st.postings}`);
console.log(`build ${(buildMs / 1000).toFixed(1)} s (${((buildMs * 1000) / N).toFixed(1)} us/doc)`);
console.log(`index typed arrays ${mb(st.bytes)}; process heap +${mb(after.heap - before.heap)}, array buffers +${mb(after.external - before.external)}, rss ${mb(after.rss)} (sample text alone ${mb(before.heap)} heap)`);

// Seeded queries drawn from the corpus, as people type them: a couple of title words, a
// longer phrase, or a sentence of an abstract.
let seed = 12345;
const rand = (): number => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
function phrase(text: string, len: number): string {
  const ws = words(text).filter((w) => w.length > 2);
  if (ws.length <= len) return ws.join(" ");
  const s = Math.floor(rand() * (ws.length - len));
  return ws.slice(s, s + len).join(" ");
}
function sentence(text: string): string {
  const ss = text.split(/(?<=\.)\s+/).filter((x) => x.length > 40);
  return ss.length ? pick(ss) : text.slice(0, 200);
}
const kinds: Record<string, () => string> = {
  "2-word": () => phrase(pick(papers).title, 2),
  "5-word": () => phrase(pick(papers).abstract, 5),
  sentence: () => sentence(pick(papers).abstract),
};

function run(idx: KeywordIndex, label: string, k: number): void {
  const all: number[] = [];
  const parts: string[] = [];
  for (const [kind, make] of Object.entries(kinds)) {
    const qs = Array.from({ length: Q }, make);
    for (const q of qs.slice(0, 30)) idx.search(q, { k }); // warm-up
    const times: number[] = [];
    for (const q of qs) {
      const s = performance.now();
      idx.search(q, { k });
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    parts.push(`${kind} p50 ${pct(times, 50)} p99 ${pct(times, 99)}`);
  }
  all.sort((a, b) => a - b);
  console.log(`${label} k=${k}: all p50 ${pct(all, 50)} ms p99 ${pct(all, 99)} ms | ${parts.join(" | ")}`);
}
function pct(sorted: number[], p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2);
}

run(index, "query", 10);
run(index, "query", 100);

if (args.snapshot) {
  t = performance.now();
  const buf = index.serialize();
  const saveMs = performance.now() - t;
  t = performance.now();
  const loaded = KeywordIndex.deserialize(buf);
  const loadMs = performance.now() - t;
  console.log(`snapshot ${mb(buf.length)}: serialize ${saveMs.toFixed(0)} ms, deserialize ${loadMs.toFixed(0)} ms`);
  run(loaded, "reloaded", 10);
}
