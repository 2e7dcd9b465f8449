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
import { dialectOf, sqliteHandle, type Db } from "../db/database.js";
import type { PreparedBatch } from "../papers/papers.prepare.js";
import { writePreparedPapers, type UpsertCounts } from "../papers/papers.queries.js";
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

export interface ImportPosition {
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  batchSize?: number;
  /** Called with `file:line: reason` for every rejected line. */
  onReject?: (message: string) => void;
  /**
   * Called after every batch written, with the running totals and how much of the input has
   * been read (bytes as stored, compressed for a gzipped file): enough for a progress bar.
   */
  onProgress?: (summary: ImportSummary, input: ImportPosition) => void;
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
async function* parseInParallel(db: Db, files: string[], sizes: number[], batchSize: number, bulk: boolean): AsyncGenerator<ParsedBatch> {
  const head = files.length > 1 ? files.slice(0, 1) : [];
  // The worker counts the bytes it reads from its first file on.
  const headBytes = head.length > 0 ? sizes[0]! : 0;
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
    for await (const b of worker.batches) yield { ...b, bytes: headBytes + b.bytes };
  } finally {
    await worker?.stop();
    if (raw && file) {
      raw.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      raw.pragma("wal_checkpoint(PASSIVE)");
    }
  }
}

/**
 * PostgreSQL: the server computes each paper's search vector and indexes it, which is most of
 * an import's time, on one core per connection. So each batch is split by arXiv id over a few
 * connections ("lanes"), each writing its share in a transaction of its own, in input order.
 * A paper's records always go to the same lane: two transactions never race to insert one
 * paper, and a newer version still lands after an older one. SQLite has one writer: one lane.
 */
const PG_LANES = 2;
// Parts a lane may have waiting behind the one it writes before the importer waits for it.
const LANE_AHEAD = 2;

interface Lanes {
  /**
   * Queues a batch's parts; waits while a lane is behind (one lane: until it is written).
   * `bytes` is the input read up to the batch's end, passed on as each part is written.
   */
  write(batch: PreparedBatch, bytes: number): Promise<void>;
  /** Waits for every write queued to end; throws the first failure, if any. */
  drain(): Promise<void>;
}

function startLanes(db: Db, count: number, written: (c: UpsertCounts, papers: number, bytes: number) => void): Lanes {
  // Per lane, its writes not yet waited for; the next one chains on the last of them (an
  // earlier one has ended, and had it failed, nothing more is queued).
  const queues: Array<Array<Promise<void>>> = Array.from({ length: count }, () => []);
  const ahead = count === 1 ? 0 : LANE_AHEAD;
  let failure: unknown = null;
  return {
    async write(batch, bytes) {
      if (failure) throw failure;
      const parts = count === 1 ? [batch] : splitByPaper(batch, count);
      parts.forEach((part, k) => {
        if (part.papers.length === 0) return;
        const queue = queues[k]!;
        // After a failure the lane writes nothing more: the chain rejects without running.
        const done = (queue.at(-1) ?? Promise.resolve()).then(async () => written(await writePreparedPapers(db, part), part.papers.length, bytes));
        done.catch((e: unknown) => (failure ??= e));
        queue.push(done);
      });
      // A lane's writes end in order, so waiting for its oldest is waiting for it to catch up.
      for (const queue of queues) while (queue.length > ahead) await queue.shift();
    },
    async drain() {
      await Promise.allSettled(queues.flat());
      if (failure) throw failure;
    },
  };
}

/** A batch's papers split over `count` parts by a hash of their arXiv ids. */
function splitByPaper(batch: PreparedBatch, count: number): PreparedBatch[] {
  const parts: PreparedBatch[] = Array.from({ length: count }, () => ({ papers: [], at: batch.at }));
  for (const p of batch.papers) {
    let h = 0;
    for (let i = 0; i < p.row.arxiv_id.length; i++) h = (h * 31 + p.row.arxiv_id.charCodeAt(i)) | 0;
    parts[(h >>> 0) % count]!.papers.push(p);
  }
  return parts;
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
  const sizes: number[] = [];
  for (const f of files) sizes.push((await stat(f)).size);
  const input: ImportPosition = { bytes: 0, totalBytes: sizes.reduce((a, b) => a + b, 0) };
  const parallel = opts.parallel ?? input.totalBytes >= PARALLEL_MIN_BYTES;
  const bulk = startBulkLoad(db);
  const lanes = startLanes(db, dialectOf(db) === "postgres" ? PG_LANES : 1, (c, papers, bytes) => {
    summary.inserted += c.inserted;
    summary.updated += c.updated;
    summary.unchanged += papers - c.inserted - c.updated;
    // Two lanes finish a batch's parts in either order: the position only moves forward.
    input.bytes = Math.max(input.bytes, bytes);
    bulk?.committed();
    opts.onProgress?.({ ...summary }, { ...input });
  });
  try {
    const batches = parallel ? parseInParallel(db, files, sizes, batchSize, bulk !== null) : parseFiles(files, batchSize);
    for await (const b of batches) {
      summary.read += b.read;
      summary.rejected += b.rejects.length;
      for (const m of b.rejects) opts.onReject?.(m);
      if (b.parsed === 0) continue;
      // Duplicates of an id within one batch count as unchanged: the batch stored one of them.
      summary.unchanged += b.parsed - b.batch.papers.length;
      await lanes.write(b.batch, b.bytes);
    }
  } finally {
    // Also after a failure: no write may still be running once the import has returned.
    try {
      await lanes.drain();
    } finally {
      await bulk?.end();
    }
  }
  return summary;
}
