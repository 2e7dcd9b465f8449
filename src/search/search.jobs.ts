/** The worker's search jobs: saving the snapshot, and the scheduled retrain. */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../context.js";
import type { JobHandler } from "../jobs/worker.js";

/** The snapshot is rewritten at most this often (the job itself runs every 5 minutes). */
const SNAPSHOT_EVERY_MS = 30 * 60_000;

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "dailypapers.js");

/** Runs `dailypapers index --retrain` as a child process; resolves with its exit code. */
function retrainInChild(log: (m: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    // A child, not a call: training keeps a core busy for a minute or more, and this process
    // may also be serving pages. Its environment (DATABASE_URL, DATA_DIR, ...) is ours.
    const child = spawn(process.execPath, [BIN, "index", "--retrain"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => log(`search-retrain: ${d.toString().trim()}`));
    child.stderr.on("data", () => {}); // step-by-step progress: not worth a log line each
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

export function searchJobHandlers(ctx: AppContext, log: (m: string) => void): Record<string, JobHandler> {
  return {
    "search-refresh": async () => {
      const changed = await ctx.search.refresh();
      if (await ctx.search.persist(false, SNAPSHOT_EVERY_MS)) log(`search: snapshot saved (${changed} papers since the last poll)`);
    },
    "search-retrain": async () => {
      const code = await retrainInChild(log);
      if (code !== 0) throw new Error(`dailypapers index --retrain exited with ${code}`);
      // Every process notices the new model on its next model check; this one right away.
      await ctx.search.refresh();
    },
  };
}
