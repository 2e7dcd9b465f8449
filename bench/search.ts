/**
 * Search latency at archive scale, on the product's engine (search.core.ts: the keyword index,
 * the int8 vectors + HNSW graph, fusion): the real 74,728-paper corpus, or a synthetic corpus
 * of N papers generated from it (titles and abstract halves of different real papers
 * recombined, so terms and vectors keep real statistics without exact duplicates).
 * Prints build times, memory and index sizes, then p50/p99 of keyword-only and hybrid queries
 * over a mix of 2-word, 5-word and sentence queries drawn from the corpus; then "newest first"
 * (sort=date) over the same queries and five common words, and filters alone (a category).
 *
 *   npm run bench:search -- [--n 1000000] [--model DIR] [--queries 300] [--cache DIR]
 *   --model: a saved Model2Vec model (e.g. DATA_DIR/search/model); without it one is trained
 *   on the real corpus first (and saved to --save-model DIR when given).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readLines } from "../src/search/beir.js";
import { embedPaper } from "../src/search/embed.js";
import { loadStaticModel, saveStaticModel, type StaticModel } from "../src/search/model2vec.js";
import { KeywordIndex } from "../src/search/keyword.index.js";
import { SearchCore, type IndexDoc } from "../src/search/search.core.js";
import { tokenizeUnstemmed } from "../src/search/tokenize.js";
import { makeRng, splitSentences, trainedToStaticModel, trainStaticModel } from "../src/search/train.js";
import { VectorStore } from "../src/search/vector.store.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: resolve(repoRoot, "../shared/data/arxiv-daily-cs") },
    n: { type: "string" },
    model: { type: "string" },
    "save-model": { type: "string" },
    queries: { type: "string", default: "300" },
    // Keep the built indexes here and load them on the next run (to measure queries again).
    cache: { type: "string" },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (x: number): string => `${(x / 2 ** 20).toFixed(0)} MB`;
function rss(): number {
  gc?.();
  return process.memoryUsage().rss;
}
const seconds = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

interface Raw { title: string; abstract: string; authors: string; categories: string[]; day: string }
const real: Raw[] = [];
const dir = resolve(process.cwd(), args.data ?? "");
for (const f of readdirSync(dir).filter((x) => x.endsWith(".jsonl.gz")).sort()) {
  for await (const line of readLines(join(dir, f))) {
    const o = JSON.parse(line) as { title?: string; abstract?: string; authors?: string[]; categories?: string[]; date?: string };
    real.push({ title: o.title ?? "", abstract: o.abstract ?? "", authors: (o.authors ?? []).join(", "), categories: o.categories ?? [], day: o.date ?? "2025-01-01" });
  }
}
const N = args.n ? Number(args.n) : real.length;
console.log(`corpus: ${N} papers (${real.length} real${N > real.length ? `, ${N - real.length} synthetic` : ""})`);

// Synthetic paper k: title of one real paper, first half of a second's abstract, second half
// of a third's. Deterministic.
const rng = makeRng(11);
const halves = real.map((p) => {
  const s = splitSentences(p.abstract);
  const mid = Math.max(1, Math.floor(s.length / 2));
  return [s.slice(0, mid).join(" "), s.slice(mid).join(" ")];
});
function doc(k: number): IndexDoc {
  if (k < real.length) {
    const p = real[k];
    return { id: k + 1, title: p.title, authors: p.authors, abstract: p.abstract, categories: p.categories, day: p.day };
  }
  const a = Math.floor(rng() * real.length);
  const b = Math.floor(rng() * real.length);
  const c = Math.floor(rng() * real.length);
  return { id: k + 1, title: real[c].title, authors: real[a].authors, abstract: `${halves[a][0]} ${halves[b][1]}`, categories: real[a].categories, day: real[a].day };
}
// Generated once: the keyword build and the embedding pass must see the same synthetic texts.
const docs: IndexDoc[] = Array.from({ length: N }, (_, k) => doc(k));

let model: StaticModel;
if (args.model) {
  model = await loadStaticModel(args.model);
  console.log(`model: ${args.model} (vocabulary ${model.vocabSize}, dim ${model.dim})`);
} else {
  const t = performance.now();
  const trained = trainStaticModel(real.map((p) => ({ title: p.title, abstract: p.abstract })));
  console.log(`model: trained on the ${real.length} real papers in ${seconds(t)} (vocabulary ${trained.stats.vocabSize}, dim ${trained.dim})`);
  if (args["save-model"]) await saveStaticModel(args["save-model"], { vocab: trained.vocab, embeddings: trained.embeddings, dim: trained.dim, float16: true });
  model = trainedToStaticModel(trained);
}

const base = rss();
const core = new SearchCore();
const cacheDir = args.cache ? resolve(args.cache) : null;
if (cacheDir && existsSync(join(cacheDir, "keyword.bin"))) {
  const t = performance.now();
  core.keyword = KeywordIndex.deserialize(readFileSync(join(cacheDir, "keyword.bin")));
  for (const d of docs) core.facts.set(d.id, d.categories, d.day);
  core.vectors = VectorStore.load(join(cacheDir, "vectors.bin"));
  core.model = model;
  console.log(`loaded the indexes from ${cacheDir} in ${seconds(t)}; process rss ${mb(rss())}`);
} else {
  let t = performance.now();
  core.addAll(docs);
  const keywordBuild = seconds(t);
  const afterKeyword = rss();
  const stats = core.keyword.stats();
  const snapshot = core.keyword.serialize();
  console.log(`keyword index: built in ${keywordBuild}; ${stats.terms} terms, ${stats.postings} postings, ${mb(stats.bytes)} arrays, +${mb(afterKeyword - base)} rss; snapshot ${mb(snapshot.byteLength)}`);

  t = performance.now();
  const vectors = new VectorStore(model.dim);
  const CHUNK = 20_000;
  for (let i = 0; i < N; i += CHUNK) {
    const part = docs.slice(i, i + CHUNK);
    const m = new Float32Array(part.length * model.dim);
    part.forEach((d, j) => m.set(embedPaper(model, d), j * model.dim));
    // Graph built once at the end (bulk, all cores) rather than grown chunk by chunk.
    vectors.addMany(part.map((d) => d.id), m, { deferGraph: true });
  }
  const embedTime = seconds(t);
  t = performance.now();
  vectors.buildGraph();
  const graphTime = seconds(t);
  core.model = model;
  core.vectors = vectors;
  const afterVectors = rss();
  console.log(`vectors: embedded in ${embedTime}, HNSW graph built in ${graphTime}; ~${mb(vectors.bytes())} (int8 vectors + f16 graph estimate), +${mb(afterVectors - afterKeyword)} rss; process rss ${mb(afterVectors)}`);
  if (cacheDir) {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, "keyword.bin"), snapshot);
    vectors.save(join(cacheDir, "vectors.bin"));
    const size = (f: string): number => (existsSync(join(cacheDir, f)) ? statSync(join(cacheDir, f)).size : 0);
    console.log(`on disk: keyword ${mb(size("keyword.bin"))}, vectors ${mb(size("vectors.bin"))}, graph ${mb(size("vectors.bin.usearch"))}`);
  }
}

// Queries drawn from the corpus: a third each of 2-word, 5-word and whole-sentence queries.
const qrng = makeRng(5);
const queries: Array<{ kind: string; q: string }> = [];
const Q = Number(args.queries);
while (queries.length < Q) {
  const p = real[Math.floor(qrng() * real.length)];
  const kind = ["2-word", "5-word", "sentence"][queries.length % 3];
  if (kind === "sentence") {
    const s = splitSentences(p.abstract).filter((x) => x.length > 40 && x.length < 250);
    if (s.length) queries.push({ kind, q: s[Math.floor(qrng() * s.length)] });
    continue;
  }
  const words = tokenizeUnstemmed(kind === "2-word" ? p.title : p.abstract).filter((w) => w.length > 3 && !/[0-9]/.test(w));
  const n = kind === "2-word" ? 2 : 5;
  if (words.length < n + 1) continue;
  const at = Math.floor(qrng() * (words.length - n));
  queries.push({ kind, q: words.slice(at, at + n).join(" ") });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
// "Newest first" lists every paper holding every word: common single words are its worst case.
for (const q of ["learning", "model", "data", "network", "language models"]) queries.push({ kind: "common", q });

function measure(keywordOnly: boolean, kind?: string, sort: "relevance" | "date" = "relevance"): { p50: number; p99: number } {
  const times: number[] = [];
  for (const { q, kind: k } of queries) {
    if (kind ? k !== kind : k === "common" && sort === "relevance") continue;
    const s = performance.now();
    core.search({ q, limit: 20, keywordOnly, sort });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}
// Warm-up: JIT and page-in.
measure(true);
measure(false);
const f = (x: number): string => x.toFixed(2);
for (const mode of ["keyword", "hybrid"] as const) {
  const all = measure(mode === "keyword");
  const parts = ["2-word", "5-word", "sentence"].map((k) => {
    const r = measure(mode === "keyword", k);
    return `${k} ${f(r.p50)}/${f(r.p99)}`;
  });
  console.log(`${mode} (${Q} queries, top 20): p50 ${f(all.p50)} ms, p99 ${f(all.p99)} ms  [p50/p99 ms: ${parts.join(", ")}]`);
}
{
  const all = measure(false, undefined, "date");
  const parts = ["2-word", "5-word", "sentence", "common"].map((k) => {
    const r = measure(false, k, "date");
    return `${k} ${f(r.p50)}/${f(r.p99)}`;
  });
  console.log(`newest first (${queries.length} queries, page of 20): p50 ${f(all.p50)} ms, p99 ${f(all.p99)} ms  [p50/p99 ms: ${parts.join(", ")}]`);
}
{
  // Filters alone (a category's newest papers) visit every paper: the one query that grows
  // with the archive whatever it asks.
  const times: number[] = [];
  for (let r = 0; r < 20; r++) {
    for (const cat of ["cs.LG", "cs.CV", "cs.CL", "cs.RO", "cs"]) {
      const s = performance.now();
      core.search({ q: "", categories: [cat], limit: 20 });
      times.push(performance.now() - s);
    }
  }
  times.sort((a, b) => a - b);
  console.log(`filters alone (5 categories x 20, page of 20): p50 ${f(percentile(times, 50))} ms, p99 ${f(percentile(times, 99))} ms`);
}
