/**
 * `dailypapers import`: streams JSON-lines files (plain or gzipped, either bulk format) into
 * the database in batched transactions. Memory stays flat: one batch is held at a time.
 * Idempotent: a re-run of the same files changes nothing, and a run killed midway loses
 * only its open batch, which the next run writes.
 */
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Db } from "../db/database.js";
import type { ImportedPaper } from "../papers/paper.js";
import { upsertPapers } from "../papers/papers.queries.js";
import { parseRecordLine } from "./records.parse.js";

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
}

const LINES_FILE = /\.(jsonl|ndjson)(\.gz)?$/;
// The arXiv snapshot ships as one `.json` file of JSON lines; in a folder a `.json` file counts
// only when its first line is a whole JSON object (which skips manifests and other documents).
const MAYBE_LINES_FILE = /\.json(\.gz)?$/;

async function firstLineIsObject(path: string): Promise<boolean> {
  for await (const line of readLines(path)) {
    try {
      const v: unknown = JSON.parse(line);
      return typeof v === "object" && v !== null && !Array.isArray(v);
    } catch {
      return false;
    }
  }
  return false;
}

/** Files named on the command line, folders expanded to their data files, in name order. */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (!s) throw new Error(`${p}: no such file or folder`);
    if (s.isDirectory()) {
      for (const name of (await readdir(p)).sort()) {
        const file = join(p, name);
        if (LINES_FILE.test(name) || (MAYBE_LINES_FILE.test(name) && (await firstLineIsObject(file)))) out.push(file);
      }
    } else out.push(p);
  }
  return out;
}

async function isGzipped(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Lines of a file, gunzipped when it starts with the gzip magic bytes whatever its name. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = (await isGzipped(path)) ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

export async function importFiles(db: Db, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 2000;
  const files = await expandPaths(paths);
  const summary: ImportSummary = { files: files.length, read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  let batch: ImportedPaper[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const c = await upsertPapers(db, batch);
    summary.inserted += c.inserted;
    summary.updated += c.updated;
    // Duplicates of an id within one batch count as unchanged: the batch stored one of them.
    summary.unchanged += batch.length - c.inserted - c.updated;
    batch = [];
    opts.onProgress?.({ ...summary });
  };
  for (const file of files) {
    let lineNo = 0;
    for await (const line of readLines(file)) {
      lineNo++;
      if (line.trim() === "") continue;
      summary.read++;
      const r = parseRecordLine(line);
      if (!r.ok) {
        summary.rejected++;
        opts.onReject?.(`${file}:${lineNo}: ${r.reason}`);
        continue;
      }
      batch.push(r.item);
      if (batch.length >= batchSize) await flush();
    }
  }
  await flush();
  return summary;
}
