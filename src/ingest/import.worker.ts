/**
 * The parsing thread of a large import: runs the reading side (`parseFiles`) and posts each
 * prepared batch to the importing thread, staying at most a few batches ahead of the writes
 * so memory stays flat however large the input.
 * On SQLite in WAL mode it also checkpoints the log after each written batch, through a
 * connection of its own: copying the batch's pages into the database file then runs beside
 * the next batch's writes instead of inside their commit.
 */
import Database from "better-sqlite3";
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { parseFiles } from "./import.read.js";

export interface ParseWorkerData {
  files: string[];
  batchSize: number;
  /** Batches parsed ahead of the writes before the thread waits. */
  ahead: number;
  /** The SQLite file to checkpoint after each written batch, if any. */
  checkpoint: string | null;
}

export type ParseWorkerMessage = { type: "batch"; batch: import("./import.read.js").ParsedBatch } | { type: "done" };

const port = parentPort;
if (!port) throw new Error("import.worker runs as a worker thread");

/**
 * The writing thread is the import's critical path; this one only has to stay ahead of it. So
 * on Linux it lowers its own priority: when both want a core (garbage collection and gunzip
 * helpers run too), the writer goes first. A thread's id is the last part of /proc/thread-self,
 * and setpriority on it touches this thread alone. Elsewhere the priority stays as it is.
 */
function yieldToWriter(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    /* not Linux: the default priority */
  }
}
yieldToWriter();
const { files, batchSize, ahead, checkpoint } = workerData as ParseWorkerData;

const wal = checkpoint ? new Database(checkpoint, { fileMustExist: true }) : null;
wal?.pragma("busy_timeout = 5000");

// One credit per batch the importing thread may still have to write; it sends one back after
// each write.
let credits = ahead;
let wake: (() => void) | null = null;
port.on("message", () => {
  credits++;
  wake?.();
  wake = null;
  // PASSIVE: copies what no reader still needs, never waits for or blocks the writer. A failed
  // checkpoint loses nothing (the log keeps every page); the next one, or the importing
  // thread's last, copies it.
  try {
    wal?.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    /* the next checkpoint catches up */
  }
});

for await (const batch of parseFiles(files, batchSize)) {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  port.postMessage({ type: "batch", batch } satisfies ParseWorkerMessage);
}
port.postMessage({ type: "done" } satisfies ParseWorkerMessage);
// Checkpoints go on while the last batches are written; the importing thread ends the thread.
