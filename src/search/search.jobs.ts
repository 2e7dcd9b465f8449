/**
 * The worker's search jobs: saving the snapshot, the scheduled retrain, and training the first
 * model by itself, so that semantic search works on a fresh install without a manual step.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../context.js";
import { enqueue } from "../jobs/jobs.queries.js";
import type { JobHandler } from "../jobs/worker.js";
import { countPapers } from "../papers/papers.queries.js";

/** The snapshot is rewritten at most this often (the job itself runs every 5 minutes). */
const SNAPSHOT_EVERY_MS = 30 * 60_000;

export const FIRST_MODEL_JOB = "search-first-model";

/**
 * Papers the database must hold before a model is trained on them unasked: fewer give a
 * vocabulary too small to be worth the minute of CPU (the bundled sample holds 3,292).
 */
export const FIRST_MODEL_MIN_PAPERS = 1000;

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "dailypapers.js");

/**
 * Runs `dailypapers index ARGS` as a child process on this process's database and data
 * folder; resolves with its exit code.
 */
function indexInChild(ctx: AppContext, args: string[], log: (m: string) => void): Promise<number> {
  const db = ctx.config.database;
  // The child reads its settings from the environment: ours, with the database and folder this
  // process actually uses (they may have come from flags rather than the environment).
  const env = { ...process.env, DATABASE_URL: db.kind === "sqlite" ? db.path : db.url, DATA_DIR: ctx.config.dataDir };
  return new Promise((resolve, reject) => {
    // A child, not a call: training keeps a core busy for a minute or more, and this process
    // may also be serving pages.
    const child = spawn(process.execPath, [BIN, "index", ...args], { stdio: ["ignore", "pipe", "pipe"], env });
    child.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line.trim()) log(`search-index: ${line.trim()}`);
    });
    child.stderr.on("data", () => {}); // step-by-step progress: not worth a log line each
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/**
 * Queues the training of the first embedding model when this data folder has none, no
 * pretrained model is configured and the database holds enough papers. Called when a worker
 * starts and with every snapshot check, so a database that grows past the minimum gets its
 * model without a restart. The job's key names the model folder: several workers sharing it
 * queue it once. Returns true when it queued the job.
 */
export async function queueFirstModel(ctx: AppContext, minPapers = FIRST_MODEL_MIN_PAPERS): Promise<boolean> {
  if (ctx.search.hasModel() || (await countPapers(ctx.db)) < minPapers) return false;
  return enqueue(ctx.db, FIRST_MODEL_JOB, {}, { uniqueKey: `${FIRST_MODEL_JOB}@${ctx.search.trainedModelDir}`, maxAttempts: 3 }, ctx.now());
}

export function searchJobHandlers(ctx: AppContext, log: (m: string) => void, opts: { firstModelMinPapers?: number } = {}): Record<string, JobHandler> {
  return {
    "search-refresh": async () => {
      const changed = await ctx.search.refresh();
      if (await ctx.search.persist(false, SNAPSHOT_EVERY_MS)) log(`search: snapshot saved (${changed} papers since the last poll)`);
      await queueFirstModel(ctx, opts.firstModelMinPapers);
    },
    "search-retrain": async () => {
      const code = await indexInChild(ctx, ["--retrain"], log);
      if (code !== 0) throw new Error(`dailypapers index --retrain exited with ${code}`);
      // Every process notices the new model on its next model check; this one right away.
      await ctx.search.refresh({ model: true });
    },
    [FIRST_MODEL_JOB]: async () => {
      // Someone may have run `dailypapers index` since the job was queued.
      if (ctx.search.hasModel()) return;
      log("search: training the first embedding model in the background; search is keyword-only until it is ready");
      const code = await indexInChild(ctx, [], log);
      if (code !== 0) throw new Error(`dailypapers index exited with ${code}`);
      await ctx.search.refresh({ model: true });
      log("search: the embedding model is ready; search now ranks by keywords and meaning");
    },
  };
}
