/**
 * Train the static embedding model on the arXiv corpus (the size the product will see) and report
 * time, memory and model size; optionally save it and show nearest neighbours of a few queries.
 *
 *   node --import tsx bench/train-corpus.ts --data ../shared/data/arxiv-daily-cs [--save DIR]
 *   options: --limit N (first N papers) --dim N --epochs N --budget SECONDS --float16
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { embedPaper, embedQuery } from "../src/search/embed.js";
import { saveStaticModel } from "../src/search/model2vec.js";
import { trainedToStaticModel, trainStaticModel, type TrainPaper } from "../src/search/train.js";
import { HnswVectorIndex } from "../src/search/vector.index.js";

const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/arxiv-daily-cs" },
    limit: { type: "string" },
    dim: { type: "string" },
    epochs: { type: "string" },
    budget: { type: "string" },
    save: { type: "string" },
    float16: { type: "boolean", default: false },
  },
});

const tLoad = Date.now();
const papers: (TrainPaper & { id: string })[] = [];
for (const f of readdirSync(args.data!).filter((n) => n.endsWith(".jsonl.gz")).sort()) {
  for (const line of gunzipSync(readFileSync(join(args.data!, f))).toString("utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; title: string; abstract: string };
    papers.push({ id: r.id, title: r.title, abstract: r.abstract });
  }
}
const limit = args.limit ? Number(args.limit) : papers.length;
const corpus = papers.slice(0, limit);
console.log(`read ${corpus.length} papers in ${((Date.now() - tLoad) / 1000).toFixed(1)} s`);

const cpu0 = process.cpuUsage();
let peakRss = process.memoryUsage().rss;
const trained = trainStaticModel(corpus, {
  dim: args.dim ? Number(args.dim) : undefined,
  epochs: args.epochs ? Number(args.epochs) : undefined,
  timeBudgetMs: args.budget ? Number(args.budget) * 1000 : undefined,
  onProgress: (p) => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (p.step % 100 === 0) console.log(`  step ${p.step}/${p.steps} epoch ${p.epoch} loss ${p.loss.toFixed(4)} ${(p.elapsedMs / 1000).toFixed(1)}s`);
  },
});
const cpu = process.cpuUsage(cpu0);
const s = trained.stats;
console.log(
  `trained: ${s.papers} papers, ${s.tokens} tokens, vocab ${s.vocabSize}, dim ${trained.dim}, ` +
    `${s.steps} steps (${s.epochs} epochs planned), loss ${s.finalLoss.toFixed(4)}`,
);
console.log(
  `training time ${(s.trainMs / 1000).toFixed(1)} s wall, ${(cpu.user / 1e6).toFixed(1)} s cpu; ` +
    `peak rss ${(peakRss / 2 ** 20).toFixed(0)} MB; model ${(trained.embeddings.byteLength / 2 ** 20).toFixed(1)} MB f32`,
);

if (args.save) {
  await saveStaticModel(args.save, { vocab: trained.vocab, embeddings: trained.embeddings, dim: trained.dim, float16: args.float16 });
  const size = readdirSync(args.save).reduce((acc, f) => acc + statSync(join(args.save!, f)).size, 0);
  console.log(`saved to ${args.save}: ${(size / 2 ** 20).toFixed(1)} MB on disk`);
}

// A smoke test of quality: nearest papers for a few natural-language queries.
const model = trainedToStaticModel(trained);
const tIndex = Date.now();
const index = new HnswVectorIndex(trained.dim, { quantization: "f16" });
corpus.forEach((p, i) => index.add(i, embedPaper(model, p)));
console.log(`embedded + indexed ${corpus.length} papers in ${((Date.now() - tIndex) / 1000).toFixed(1)} s`);
for (const q of [
  "making large language models forget private training data",
  "robots learning to grasp objects from demonstrations",
  "segmenting tumours in medical scans",
]) {
  console.log(`\n${q}`);
  for (const h of index.search(embedQuery(model, q), 3)) console.log(`  ${h.score.toFixed(3)}  ${corpus[h.key].title.slice(0, 100)}`);
}
