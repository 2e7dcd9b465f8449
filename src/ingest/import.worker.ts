/**
 * The parsing thread of a large import: runs the reading side (`parseFiles`) and posts each
 * prepared batch to the importing thread, staying at most a few batches ahead of the writes
 * so memory stays flat however large the input.
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseFiles } from "./import.read.js";

export interface ParseWorkerData {
  files: string[];
  batchSize: number;
  /** Batches parsed ahead of the writes before the thread waits. */
  ahead: number;
}

export type ParseWorkerMessage = { type: "batch"; batch: import("./import.read.js").ParsedBatch } | { type: "done" };

const port = parentPort;
if (!port) throw new Error("import.worker runs as a worker thread");
const { files, batchSize, ahead } = workerData as ParseWorkerData;

// One credit per batch the importing thread may still have to write; it sends one back after
// each write.
let credits = ahead;
let wake: (() => void) | null = null;
port.on("message", () => {
  credits++;
  wake?.();
  wake = null;
});

for await (const batch of parseFiles(files, batchSize)) {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  port.postMessage({ type: "batch", batch } satisfies ParseWorkerMessage);
}
port.postMessage({ type: "done" } satisfies ParseWorkerMessage);
// The credit listener would keep the thread alive.
port.close();
