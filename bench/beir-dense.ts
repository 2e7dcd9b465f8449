/**
 * Dense retrieval quality of the self-trained static model on a BEIR dataset (e.g. SciFact).
 * Trains on the corpus texts only (never the queries or the judgements), embeds corpus and
 * queries, ranks by exact cosine and prints nDCG@10 and recall@100, plus training time/memory.
 *
 *   node --import tsx bench/beir-dense.ts --data ../shared/data/scifact --split train
 *   options: --dim N --epochs N --lr X --temperature X --min-count N --seed N --save DIR
 *            --title-share X --batch-size N --tie-stems 0|1 --word-dropout X
 *            --model DIR (evaluate a saved/pretrained Model2Vec model instead of training)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { embedPaper, embedQuery } from "../src/search/embed.js";
import { loadStaticModel, saveStaticModel, type StaticModel } from "../src/search/model2vec.js";
import { trainedToStaticModel, trainStaticModel } from "../src/search/train.js";

const { values: args } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/scifact" },
    split: { type: "string", default: "train" },
    dim: { type: "string" },
    epochs: { type: "string" },
    lr: { type: "string" },
    temperature: { type: "string" },
    "min-count": { type: "string" },
    "title-share": { type: "string" },
    "batch-size": { type: "string" },
    "tie-stems": { type: "string" },
    "word-dropout": { type: "string" },
    seed: { type: "string" },
    save: { type: "string" },
    model: { type: "string" },
  },
});

function readJsonl<T>(path: string): T[] {
  const raw = path.endsWith(".gz") ? gunzipSync(readFileSync(path)).toString("utf8") : readFileSync(path, "utf8");
  return raw.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

function findFile(dir: string, names: string[]): string {
  for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  throw new Error(`none of ${names.join(", ")} in ${dir}`);
}

interface CorpusDoc { _id: string; title: string; text: string }
interface Query { _id: string; text: string }

const dir = args.data!;
const corpus = readJsonl<CorpusDoc>(findFile(dir, ["corpus.jsonl.gz", "corpus.jsonl"]));
const queries = readJsonl<Query>(findFile(dir, ["queries.jsonl.gz", "queries.jsonl"]));
const qrels = new Map<string, Map<string, number>>();
for (const line of readFileSync(join(dir, "qrels", `${args.split}.tsv`), "utf8").split("\n").slice(1)) {
  const [q, d, s] = line.trim().split("\t");
  if (!q || !d) continue;
  if (!qrels.has(q)) qrels.set(q, new Map());
  qrels.get(q)!.set(d, Number(s));
}
const evalQueries = queries.filter((q) => qrels.has(q._id));
const papers = corpus.map((d) => ({ title: d.title, abstract: d.text }));
const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

let model: StaticModel;
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
if (args.model) {
  model = await loadStaticModel(args.model);
  console.log(`model ${args.model}: vocab ${model.vocabSize}, dim ${model.dim}`);
} else {
  const trained = trainStaticModel(papers, {
    dim: num(args.dim),
    epochs: num(args.epochs),
    learningRate: num(args.lr),
    temperature: num(args.temperature),
    minCount: num(args["min-count"]),
    titlePairShare: num(args["title-share"]),
    batchSize: num(args["batch-size"]),
    wordDropout: num(args["word-dropout"]),
    tieStems: args["tie-stems"] === undefined ? undefined : args["tie-stems"] !== "0",
    seed: num(args.seed),
    onProgress: (p) => {
      if (p.step % 250 === 0) console.log(`  step ${p.step}/${p.steps} epoch ${p.epoch} loss ${p.loss.toFixed(4)} ${(p.elapsedMs / 1000).toFixed(1)}s`);
    },
  });
  const s = trained.stats;
  const mem = process.memoryUsage();
  console.log(
    `trained on ${s.papers} docs (${s.tokens} tokens): vocab ${s.vocabSize}, dim ${trained.dim}, ` +
      `${s.epochs} epochs / ${s.steps} steps, loss ${s.finalLoss.toFixed(4)}`,
  );
  console.log(
    `training time ${(s.trainMs / 1000).toFixed(1)} s wall, ${(process.cpuUsage(cpuBefore).user / 1e6).toFixed(1)} s cpu, rss ${(mem.rss / 2 ** 20).toFixed(0)} MB ` +
      `(+${((mem.rss - rssBefore) / 2 ** 20).toFixed(0)} MB), model ${((trained.embeddings.byteLength) / 2 ** 20).toFixed(1)} MB f32`,
  );
  if (args.save) await saveStaticModel(args.save, { vocab: trained.vocab, embeddings: trained.embeddings, dim: trained.dim });
  model = trainedToStaticModel(trained);
}

// Embed and rank by exact cosine (vectors are unit length: dot product).
const tEmbed = Date.now();
const dim = model.dim;
const docMatrix = new Float32Array(corpus.length * dim);
papers.forEach((p, i) => docMatrix.set(embedPaper(model, p), i * dim));
const qVecs = evalQueries.map((q) => embedQuery(model, q.text));
const embedMs = Date.now() - tEmbed;

function dcg(gains: number[]): number {
  return gains.reduce((acc, g, i) => acc + (2 ** g - 1) / Math.log2(i + 2), 0);
}

let ndcgSum = 0, recallSum = 0;
const scores = new Float32Array(corpus.length);
for (let qi = 0; qi < evalQueries.length; qi++) {
  const q = qVecs[qi];
  for (let d = 0; d < corpus.length; d++) {
    let dot = 0;
    const off = d * dim;
    for (let j = 0; j < dim; j++) dot += q[j] * docMatrix[off + j];
    scores[d] = dot;
  }
  const top = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, 100);
  const rel = qrels.get(evalQueries[qi]._id)!;
  const gains = top.slice(0, 10).map((d) => rel.get(corpus[d]._id) ?? 0);
  const ideal = [...rel.values()].sort((a, b) => b - a).slice(0, 10);
  ndcgSum += dcg(ideal) > 0 ? dcg(gains) / dcg(ideal) : 0;
  const relevant = [...rel.entries()].filter(([, g]) => g > 0).length;
  const found = top.filter((d) => (rel.get(corpus[d]._id) ?? 0) > 0).length;
  recallSum += relevant ? found / relevant : 0;
}
console.log(`embedded ${corpus.length} docs + ${evalQueries.length} queries in ${(embedMs / 1000).toFixed(1)} s`);
console.log(`dense ndcg@10 ${(ndcgSum / evalQueries.length).toFixed(4)}`);
console.log(`dense recall@100 ${(recallSum / evalQueries.length).toFixed(4)}`);
