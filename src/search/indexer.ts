/**
 * The index pipeline behind `dailypapers index` (and the BEIR bench, which must measure exactly
 * what the product does): bring the keyword index up to date, train the embedding model when
 * there is none (or when asked), embed the papers that have no vector yet, build the
 * approximate-nearest-neighbour graph, and save everything under DATA_DIR/search.
 *
 * A second run after an import only embeds the new papers: the model's vocabulary is fixed,
 * words it never saw are dropped, so new papers embed without retraining. Retrain on demand
 * (`--retrain`) or on a schedule (SEARCH_RETRAIN_SCHEDULE) as the vocabulary drifts.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "../db/database.js";
import { saveStaticModel } from "./model2vec.js";
import { indexRowsAfter } from "./search.queries.js";
import type { SearchService } from "./search.service.js";
import { trainStaticModel, type TrainOptions, type TrainPaper } from "./train.js";

export interface IndexOptions {
  /** Train a new model even when one exists. */
  retrain?: boolean;
  /** True when MODEL_DIR names a pretrained model: nothing is trained then. */
  pretrained: boolean;
  train?: TrainOptions;
  log?: (m: string) => void;
}

export interface IndexReport {
  papers: number;
  mode: "keyword" | "hybrid";
  trained: boolean;
  trainSeconds: number;
  vocabulary: number;
  dim: number;
  vectors: number;
  totalSeconds: number;
  /** Resident memory of the process at the end, bytes. */
  rss: number;
  keywordBytes: number;
  vectorBytes: number;
  /** Sizes of the files written under DATA_DIR/search. */
  files: Record<string, number>;
}

async function allTexts(db: Db): Promise<TrainPaper[]> {
  const out: TrainPaper[] = [];
  let after = 0;
  for (;;) {
    const rows = await indexRowsAfter(db, after, 50_000);
    for (const r of rows) out.push({ title: r.title, abstract: r.abstract });
    if (rows.length < 50_000) break;
    after = rows[rows.length - 1].id;
  }
  return out;
}

function fileSizes(dir: string, prefix = ""): Record<string, number> {
  const out: Record<string, number> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) Object.assign(out, fileSizes(p, `${prefix}${name}/`));
    else if (!name.endsWith(".tmp")) out[`${prefix}${name}`] = st.size;
  }
  return out;
}

export async function runIndex(db: Db, service: SearchService, opts: IndexOptions): Promise<IndexReport> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const core = await service.ready();
  await service.refresh();
  let trained = false;
  let trainSeconds = 0;
  if (!opts.pretrained && (opts.retrain || !service.hasTrainedModel())) {
    const papers = await allTexts(db);
    if (papers.length >= 2) {
      log(`training the embedding model on ${papers.length} papers`);
      const t0 = Date.now();
      const model = trainStaticModel(papers, {
        ...opts.train,
        onProgress: (p) => {
          if (p.step % 100 === 0) log(`  step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)}`);
        },
      });
      trainSeconds = (Date.now() - t0) / 1000;
      // Written beside the live model, then swapped in: a process loading it meanwhile
      // sees the old model or the new one, never half of each.
      const next = `${service.trainedModelDir}.next`;
      rmSync(next, { recursive: true, force: true });
      await saveStaticModel(next, {
        vocab: model.vocab,
        embeddings: model.embeddings,
        dim: model.dim,
        float16: true,
        config: { trained_at: new Date().toISOString(), trained_on_papers: papers.length },
      });
      const old = `${service.trainedModelDir}.old`;
      rmSync(old, { recursive: true, force: true });
      if (existsSync(service.trainedModelDir)) renameSync(service.trainedModelDir, old);
      renameSync(next, service.trainedModelDir);
      rmSync(old, { recursive: true, force: true });
      trained = true;
      log(`trained in ${trainSeconds.toFixed(1)} s: vocabulary ${model.stats.vocabSize}, dim ${model.dim}`);
    }
  }
  // Loads the (new) model if it changed and embeds every paper still without a vector.
  await service.attachModel(core);
  if (core.vectors && core.vectors.size > 0) log(`vectors: ${core.vectors.size}`);
  await service.persist(true);
  const status = await service.status();
  return {
    papers: status.papers,
    mode: status.mode,
    trained,
    trainSeconds,
    vocabulary: core.model?.vocabSize ?? 0,
    dim: core.model?.dim ?? 0,
    vectors: status.vectors,
    totalSeconds: (Date.now() - started) / 1000,
    rss: process.memoryUsage().rss,
    keywordBytes: status.keywordBytes,
    vectorBytes: status.vectorBytes,
    files: fileSizes(service.dir),
  };
}
