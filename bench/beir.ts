/**
 * End-to-end retrieval quality on a BEIR dataset, measured through the product itself:
 * a fresh SQLite database, the BEIR corpus stored as papers by the same upsert every import
 * uses, the `dailypapers index` pipeline (train, embed, vector index), then every query
 * answered by the search service. The judgements (qrels) are read only after indexing, to
 * score the answers; they never reach the models.
 *
 *   npm run bench:beir -- --data ../shared/data/scifact --split train
 *   options: --grid (also print a grid of fusion settings: choosing settings, never training)
 *            --keep DIR (keep the database and index there)
 *            --subset odd|even (only every other query: tune on one half, report the other)
 *            --fusion JSON (fusion settings to use instead of the defaults)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { toConfig } from "../src/config.js";
import { createContext } from "../src/context.js";
import type { ImportedPaper } from "../src/papers/paper.js";
import { upsertPapers } from "../src/papers/papers.queries.js";
import { readCorpus, readQrels, readQueries, type BeirQuery } from "../src/search/beir.js";
import { meanMetric, ndcgAtK, recallAtK } from "../src/search/evaluate.js";
import type { FusionParams, Normalisation } from "../src/search/fusion.js";
import { runIndex } from "../src/search/indexer.js";

const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/scifact" },
    split: { type: "string", default: "train" },
    grid: { type: "boolean", default: false },
    keep: { type: "string" },
    // Half of the queries (by position), to choose settings on one half and report the other.
    subset: { type: "string", default: "all" },
    // Fusion settings to evaluate instead of the defaults, as JSON (e.g. the best of a grid).
    fusion: { type: "string" },
  },
});

const dataDir = resolve(process.cwd(), args.data ?? "");
const split = args.split ?? "train";
const workDir = args.keep ? resolve(args.keep) : mkdtempSync(join(tmpdir(), "dp-beir-"));
const config = toConfig({ DATABASE_URL: join(workDir, "beir.sqlite"), DATA_DIR: workDir, IMPORT_SAMPLE: "false", LOG_LEVEL: "silent" });
const ctx = await createContext(config);
const log = (m: string): void => void process.stderr.write(`${m}\n`);

/** BEIR ids are arbitrary strings; papers need arXiv-shaped ids: 1501.00000, 1501.00001, ... */
function syntheticArxivId(i: number): string {
  const month = Math.floor(i / 100_000);
  const yy = 15 + Math.floor(month / 12);
  const mm = String((month % 12) + 1).padStart(2, "0");
  return `${yy}${mm}.${String(i % 100_000).padStart(5, "0")}`;
}

try {
  // 1. Import: the corpus as papers, through the product's upsert.
  const t0 = Date.now();
  const beirIdOf = new Map<string, string>();
  let batch: ImportedPaper[] = [];
  let n = 0;
  const day = new Date("2015-01-15T00:00:00Z");
  for await (const d of readCorpus(dataDir)) {
    const arxivId = syntheticArxivId(n++);
    beirIdOf.set(arxivId, d.id);
    batch.push({
      paper: { arxivId, version: 1, title: d.title, abstract: d.text, authors: [], categories: ["beir"], comment: null, journalRef: null, doi: null, firstVersionAt: day, latestVersionAt: day },
      listingDates: [],
    });
    if (batch.length === 2000) {
      await upsertPapers(ctx.db, batch);
      batch = [];
    }
  }
  if (batch.length) await upsertPapers(ctx.db, batch);
  log(`imported ${n} documents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // 2. The product's index pipeline, exactly as `dailypapers index` runs it.
  const report = await runIndex(ctx.db, ctx.search, { pretrained: false, log });
  log(`index: ${report.papers} papers, ${report.mode}, trained ${report.trained} (${report.trainSeconds.toFixed(1)} s), vocabulary ${report.vocabulary}, dim ${report.dim}, total ${report.totalSeconds.toFixed(1)} s, rss ${(report.rss / 2 ** 20).toFixed(0)} MB`);

  // 3. Queries through the search service; qrels only now.
  const rows = await ctx.db.selectFrom("papers").select(["id", "arxiv_id"]).execute();
  const beirOfPaper = new Map(rows.map((r) => [Number(r.id), beirIdOf.get(r.arxiv_id) ?? ""]));
  const qrels = await readQrels(dataDir, split);
  const queries: BeirQuery[] = [];
  let position = 0;
  for await (const q of readQueries(dataDir)) {
    if (!qrels.has(q.id)) continue;
    const odd = position++ % 2 === 1;
    if (args.subset === "all" || (args.subset === "odd") === odd) queries.push(q);
  }
  if (args.subset !== "all") log(`${queries.length} queries (${args.subset} half)`);
  const core = await ctx.search.ready();
  if (args.fusion) core.fusion = { ...core.fusion, ...(JSON.parse(args.fusion) as Partial<FusionParams>) };

  async function evaluate(keywordOnly: boolean): Promise<{ ndcg: number; recall: number }> {
    const run = new Map<string, string[]>();
    for (const q of queries) {
      const r = await ctx.search.search({ q: q.text, limit: 100, keywordOnly });
      run.set(q.id, r.hits.map((h) => beirOfPaper.get(h.id) ?? ""));
    }
    const judged = new Map([...qrels].filter(([qid]) => run.has(qid)));
    return { ndcg: meanMetric(run, judged, (r, j) => ndcgAtK(r, j, 10)), recall: meanMetric(run, judged, (r, j) => recallAtK(r, j, 100)) };
  }

  if (args.grid) {
    const base = core.fusion;
    const lines: string[] = [];
    const grid: Array<[Normalisation, number, number, number, number]> = [["zscore", 0, 100, 0, 0]];
    for (const normalisation of ["zscore", "minmax", "max"] as Normalisation[]) {
      for (const keywordWeight of [0.6, 0.65, 0.7, 0.75, 0.8]) {
        for (const depth of [30, 50, 100]) {
          for (const [prfDocs, prfWeight] of [[0, 0], [2, 0.5], [3, 0.3], [3, 0.5], [5, 0.5]]) grid.push([normalisation, keywordWeight, depth, prfDocs, prfWeight]);
        }
      }
    }
    for (const [normalisation, keywordWeight, depth, prfDocs, prfWeight] of grid) {
      core.fusion = { keywordWeight, keywordDepth: depth, denseDepth: depth, normalisation, prfDocs, prfWeight } satisfies FusionParams;
      const r = await evaluate(false);
      lines.push(`${r.ndcg.toFixed(4)} ${r.recall.toFixed(4)}  ${normalisation} w=${keywordWeight} depth=${depth} prf=${prfDocs}/${prfWeight}`);
    }
    log(`dense only: ${lines[0]}`);
    core.fusion = base;
    lines.sort().reverse();
    log(`ndcg@10 recall@100  fusion (best first)\n${lines.slice(0, 20).join("\n")}`);
  }

  const full = await evaluate(false);
  const keyword = await evaluate(true);
  console.log(`ndcg@10 ${full.ndcg.toFixed(4)}`);
  console.log(`recall@100 ${full.recall.toFixed(4)}`);
  console.log(`keyword ndcg@10 ${keyword.ndcg.toFixed(4)}`);
  console.log(`keyword recall@100 ${keyword.recall.toFixed(4)}`);
} finally {
  await ctx.close();
  if (!args.keep) rmSync(workDir, { recursive: true, force: true });
}
