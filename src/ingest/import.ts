/**
 * `dailypapers import`: streams JSON-lines files (plain or gzipped, either bulk format) into
 * the database in batched transactions. Memory stays flat: a few batches are held at a time.
 * Large inputs are parsed in a worker thread while this thread writes. A new SQLite database
 * is filled in bulk-load mode (db/bulk-load.ts).
 * Idempotent: a re-run of the same files changes nothing, and a run killed midway loses
 * only its open batch, which the next run writes.
 */
import { stat } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { beginBulkLoad, type BulkLoad } from "../db/bulk-load.js";
import { sqliteHandle, type Db } from "../db/database.js";
import { writePreparedPapers } from "../papers/papers.queries.js";
import { expandPaths, parseFiles, type ParsedBatch } from "./import.read.js";
import type { ParseWorkerData, ParseWorkerMessage } from "./import.worker.js";

export interface ImportSummary {
  files: number;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportOptions {
  batchSize?: number;
  /** Called with `file:line: reason` for every rejected line. */
  onReject?: (message: string) => void;
  /** Called after every batch with the running totals. */
  onProgress?: (summary: ImportSummary) => void;
  /**
   * Parse in a worker thread while the importing thread writes (default: when the input is
   * large enough for the overlap to pay off).
   */
  parallel?: boolean;
}

// Below this much input the worker thread's start-up (about 0.2 s: the TypeScript loader and
// the parser's modules, loaded again in the thread) costs more than the overlap saves.
const PARALLEL_MIN_BYTES = 8 << 20;

/** Papers per transaction: large enough that a commit's fixed costs vanish, small enough to
 * keep memory flat and a killed run's loss to one batch. */
export const DEFAULT_BATCH_SIZE = 2000;

/**
 * `parseFiles` on a worker thread, started at once. The sources are TypeScript run through
 * tsx, which a new thread does not inherit: the thread's boot code registers it before
 * loading the module.
 */
function startParseWorker(files: string[], batchSize: number, checkpoint: string | null): { batches: AsyncGenerator<ParsedBatch>; stop: () => Promise<number> } {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(`./import.worker.${fromSource ? "ts" : "js"}`, import.meta.url).href;
  const boot = fromSource
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`
    : `import(${JSON.stringify(entry)});`;
  const worker = new Worker(boot, {
    eval: true,
    execArgv: [],
    workerData: { files, batchSize, ahead: 2, checkpoint } satisfies ParseWorkerData,
  });
  const queue: ParsedBatch[] = [];
  let done = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on("message", (m: ParseWorkerMessage) => {
    if (m.type === "batch") queue.push(m.batch);
    else done = true;
    notify();
  });
  worker.on("error", (e) => {
    failure = e;
    notify();
  });
  worker.on("exit", (code) => {
    if (!done && !failure) failure = new Error(`the import's parsing thread stopped early (exit code ${code})`);
    notify();
  });
  async function* batches(): AsyncGenerator<ParsedBatch> {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        // Written: the thread may parse one more batch ahead (and checkpoint this one).
        worker.postMessage("written");
        continue;
      }
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return { batches: batches(), stop: () => worker.terminate() };
}

/**
 * The batches of a large import: a worker thread parses every file but the first, which this
 * thread parses (and writes) while the worker boots.
 */
async function* parseInParallel(db: Db, files: string[], batchSize: number, bulk: boolean): AsyncGenerator<ParsedBatch> {
  const head = files.length > 1 ? files.slice(0, 1) : [];
  // SQLite in WAL mode: this connection stops checkpointing at its commits; the parsing thread
  // does it. A bulk load has no log to checkpoint.
  const raw = sqliteHandle(db);
  const file = raw && !raw.memory && !bulk ? raw.name : null;
  const autocheckpoint = raw && file ? Number(raw.pragma("wal_autocheckpoint", { simple: true })) : 0;
  let worker: ReturnType<typeof startParseWorker> | null = null;
  try {
    if (raw && file) raw.pragma("wal_autocheckpoint = 0");
    worker = startParseWorker(files.slice(head.length), batchSize, file);
    yield* parseFiles(head, batchSize);
    yield* worker.batches;
  } finally {
    await worker?.stop();
    if (raw && file) {
      raw.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      raw.pragma("wal_checkpoint(PASSIVE)");
    }
  }
}

/**
 * SQLite: a database nobody has used yet (no papers, no accounts, no digest subscriptions) is
 * filled in bulk-load mode (db/bulk-load.ts) when the import can have the file to itself.
 */
function startBulkLoad(db: Db): BulkLoad | null {
  const raw = sqliteHandle(db);
  if (!raw || raw.memory) return null;
  const used = raw.prepare(`select exists (select 1 from papers) or exists (select 1 from users)
    or exists (select 1 from digest_subscriptions)`).pluck().get();
  return used ? null : beginBulkLoad(raw);
}

export async function importFiles(db: Db, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const files = await expandPaths(paths);
  const summary: ImportSummary = { files: files.length, read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  let parallel = opts.parallel;
  if (parallel === undefined) {
    let bytes = 0;
    for (const f of files) bytes += (await stat(f)).size;
    parallel = bytes >= PARALLEL_MIN_BYTES;
  }
  const bulk = startBulkLoad(db);
  try {
    const batches = parallel ? parseInParallel(db, files, batchSize, bulk !== null) : parseFiles(files, batchSize);
    for await (const b of batches) {
      summary.read += b.read;
      summary.rejected += b.rejects.length;
      for (const m of b.rejects) opts.onReject?.(m);
      if (b.parsed === 0) continue;
      const c = await writePreparedPapers(db, b.batch);
      summary.inserted += c.inserted;
      summary.updated += c.updated;
      // Duplicates of an id within one batch count as unchanged: the batch stored one of them.
      summary.unchanged += b.parsed - c.inserted - c.updated;
      opts.onProgress?.({ ...summary });
    }
  } finally {
    bulk?.end();
  }
  return summary;
}
