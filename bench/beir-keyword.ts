// Keyword-search quality and speed on a BEIR dataset (SciFact by default).
//   node --import tsx bench/beir-keyword.ts --data ../shared/data/scifact --split train [--grid]
// Qrels only choose settings; nothing from them reaches the index.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readCorpus, readQrels, readQueries, type BeirQuery } from "../src/search/beir.js";
import { meanMetric, ndcgAtK, recallAtK, type Qrels } from "../src/search/evaluate.js";
import { DEFAULT_BM25, KeywordIndex, type Bm25Params } from "../src/search/keyword.index.js";
import { DEFAULT_RM3, searchWithRm3, type Rm3Params } from "../src/search/rm3.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: resolve(repoRoot, "../shared/data/scifact") },
    split: { type: "string", default: "train" },
    k1: { type: "string" },
    b: { type: "string" },
    "title-weight": { type: "string" },
    "title-b": { type: "string" },
    "fb-docs": { type: "string" },
    "fb-terms": { type: "string" },
    "orig-weight": { type: "string" },
    grid: { type: "boolean", default: false },
  },
});

const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
const params: Bm25Params = {
  k1: num(args.k1, DEFAULT_BM25.k1),
  title: { weight: num(args["title-weight"], DEFAULT_BM25.title.weight), b: num(args["title-b"] ?? args.b, DEFAULT_BM25.title.b) },
  authors: DEFAULT_BM25.authors,
  abstract: { weight: DEFAULT_BM25.abstract.weight, b: num(args.b, DEFAULT_BM25.abstract.b) },
};
const rm3: Rm3Params = {
  fbDocs: num(args["fb-docs"], DEFAULT_RM3.fbDocs),
  fbTerms: num(args["fb-terms"], DEFAULT_RM3.fbTerms),
  originalWeight: num(args["orig-weight"], DEFAULT_RM3.originalWeight),
};

const dir = resolve(process.cwd(), args.data);
const split = args.split ?? "train";
const extIds: string[] = [];
const texts: string[] = [];
const docs: { id: number; title: string; authors: string; abstract: string }[] = [];
for await (const d of readCorpus(dir)) {
  docs.push({ id: extIds.length, title: d.title, authors: "", abstract: d.text });
  texts.push(`${d.title} ${d.text}`);
  extIds.push(d.id);
}
const qrels: Qrels = await readQrels(dir, split);
const queries: BeirQuery[] = [];
for await (const q of readQueries(dir)) if (qrels.has(q.id)) queries.push(q);

const t0 = performance.now();
const index = new KeywordIndex(params);
index.addAll(docs);
const buildMs = performance.now() - t0;
const snapshot = index.serialize();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function evaluate(idx: KeywordIndex, withRm3: Rm3Params | null): { ndcg: number; recall: number; p50: number; p99: number } {
  const run = new Map<string, string[]>();
  const times: number[] = [];
  for (const q of queries) {
    const s = performance.now();
    const hits = withRm3
      ? searchWithRm3(idx, q.text, (id) => texts[id], { k: 100 }, withRm3)
      : idx.search(q.text, { k: 100 });
    times.push(performance.now() - s);
    run.set(q.id, hits.map((h) => extIds[h.id]));
  }
  times.sort((a, b) => a - b);
  return {
    ndcg: meanMetric(run, qrels, (r, j) => ndcgAtK(r, j, 10)),
    recall: meanMetric(run, qrels, (r, j) => recallAtK(r, j, 100)),
    p50: percentile(times, 50),
    p99: percentile(times, 99),
  };
}

const f4 = (x: number): string => x.toFixed(4);
const f3 = (x: number): string => x.toFixed(3);

if (args.grid) {
  const rows: string[] = [];
  for (const k1 of [0.6, 0.9, 1.2, 1.5, 2.0]) {
    for (const b of [0.3, 0.5, 0.65, 0.75, 0.9]) {
      for (const tw of [1, 1.5, 2, 3]) {
        const p: Bm25Params = { k1, title: { weight: tw, b }, authors: DEFAULT_BM25.authors, abstract: { weight: 1, b } };
        const r = evaluate(KeywordIndex.deserialize(snapshot, p), null);
        rows.push(`${f4(r.ndcg)} ${f4(r.recall)}  k1=${k1} b=${b} titleWeight=${tw}`);
      }
    }
  }
  rows.sort().reverse();
  console.log("ndcg@10 recall@100  params (best first)\n" + rows.slice(0, 15).join("\n"));
  const rmRows: string[] = [];
  for (const fbDocs of [3, 5, 10, 20]) {
    for (const fbTerms of [5, 10, 20, 40]) {
      for (const originalWeight of [0.3, 0.5, 0.7, 0.85]) {
        const r = evaluate(index, { fbDocs, fbTerms, originalWeight });
        rmRows.push(`${f4(r.ndcg)} ${f4(r.recall)}  fbDocs=${fbDocs} fbTerms=${fbTerms} originalWeight=${originalWeight}`);
      }
    }
  }
  rmRows.sort().reverse();
  console.log(`RM3 on top of k1=${params.k1} b=${params.abstract.b} titleWeight=${params.title.weight}\n` + rmRows.slice(0, 15).join("\n"));
} else {
  const plain = evaluate(index, null);
  const expanded = evaluate(index, rm3);
  console.log(`dataset ${dir.split(/[\\/]/).pop()} split ${split}: ${docs.length} docs, ${queries.length} queries`);
  console.log(`params k1=${params.k1} b=${params.abstract.b} titleWeight=${params.title.weight} titleB=${params.title.b}`);
  console.log(`build ${buildMs.toFixed(0)} ms`);
  console.log(`keyword ndcg@10 ${f4(plain.ndcg)}`);
  console.log(`keyword recall@100 ${f4(plain.recall)}`);
  console.log(`keyword query p50 ${f3(plain.p50)} ms p99 ${f3(plain.p99)} ms`);
  console.log(`keyword+rm3(fbDocs=${rm3.fbDocs},fbTerms=${rm3.fbTerms},originalWeight=${rm3.originalWeight}) ndcg@10 ${f4(expanded.ndcg)} recall@100 ${f4(expanded.recall)} p50 ${f3(expanded.p50)} ms p99 ${f3(expanded.p99)} ms`);
}
