/**
 * The reading side of `dailypapers import`, with no database: finds the data files, streams
 * their lines (gunzipped when needed), parses and validates each line and prepares batches of
 * rows. The writing side (`import.ts`) stores the batches.
 */
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { ImportedPaper } from "../papers/paper.js";
import { preparePapers, type PreparedBatch } from "../papers/papers.prepare.js";
import { parseRecordLine } from "./records.parse.js";

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

/** Bytes of input files read so far (as stored: compressed bytes of a gzipped file). */
export interface ReadMeter {
  bytes: number;
}

/**
 * Lines of a file, gunzipped when it starts with the gzip magic bytes whatever its name. The
 * `meter`, if given, counts the file's bytes as they are read (a little ahead of the lines).
 */
export async function* readLines(path: string, meter?: ReadMeter): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = (await isGzipped(path)) ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  // Only now: a "data" listener sets the file flowing, and no chunk may pass unread.
  if (meter) raw.on("data", (chunk) => (meter.bytes += chunk.length));
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

/**
 * What the reading side hands the writing side: one batch of papers prepared for storage, the
 * lines read and rejected since the previous batch.
 */
export interface ParsedBatch {
  /** Non-empty lines read. */
  read: number;
  /** Papers parsed (before duplicates of an id within the batch are merged). */
  parsed: number;
  /** Bytes of the input files read so far, over all files: how far the import has come. */
  bytes: number;
  rejects: string[];
  batch: PreparedBatch;
}

/**
 * The reading side of an import, pure of any database: reads the files in order, parses and
 * validates every line and prepares each batch of papers for storage. Runs in the importing
 * thread, or in a worker thread so that parsing the next batch overlaps writing this one.
 */
export async function* parseFiles(files: string[], batchSize: number): AsyncGenerator<ParsedBatch> {
  let items: ImportedPaper[] = [];
  let read = 0;
  let rejects: string[] = [];
  const meter: ReadMeter = { bytes: 0 };
  const take = (): ParsedBatch => {
    const out = { read, parsed: items.length, bytes: meter.bytes, rejects, batch: preparePapers(items) };
    items = [];
    read = 0;
    rejects = [];
    return out;
  };
  for (const file of files) {
    let lineNo = 0;
    for await (const line of readLines(file, meter)) {
      lineNo++;
      if (line.trim() === "") continue;
      read++;
      const r = parseRecordLine(line);
      if (!r.ok) rejects.push(`${file}:${lineNo}: ${r.reason}`);
      else {
        items.push(r.item);
        if (items.length >= batchSize) yield take();
      }
    }
  }
  if (read > 0) yield take();
}
