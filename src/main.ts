/**
 * Starts Daily Papers: the web server, the job worker, or both (the embedded default).
 * On an empty database the bundled sample is imported first, so a fresh install shows papers.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "./config.js";
import { createContext, type AppContext } from "./context.js";
import { importFiles } from "./ingest/import.js";
import { countPapers } from "./papers/papers.queries.js";
import { refreshTrendingScores } from "./community/index.js";
import { buildApp } from "./web/app.js";
import { jobHandlers } from "./jobs/handlers.js";
import { recurringJobs, startSchedule } from "./jobs/schedule.js";
import { Worker } from "./jobs/worker.js";
import { queueFirstModel } from "./search/search.jobs.js";

export const SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "sample");

export async function importSampleIfEmpty(ctx: AppContext, log: (msg: string) => void): Promise<void> {
  if (!ctx.config.importSampleOnStart || (await countPapers(ctx.db)) > 0) return;
  log("empty database: importing the bundled sample papers");
  const s = await importFiles(ctx.db, [SAMPLE_DIR]);
  await refreshTrendingScores(ctx.db);
  log(`sample imported: ${s.inserted} papers`);
}

/** Starts the roles this process plays: web (HTTP), worker (jobs and schedule), or both. */
export async function serve(config: Config): Promise<void> {
  const ctx = await createContext(config);
  const app = await buildApp(ctx);
  const log = (m: string) => app.log.info(m);
  await importSampleIfEmpty(ctx, log);
  // Open search now (snapshot or build) rather than on the first query.
  ctx.search.log = log;
  void ctx.search.ready().catch((e: unknown) => app.log.error(`search: ${e instanceof Error ? e.message : String(e)}`));
  let worker: Worker | null = null;
  let stopSchedule = () => {};
  if (config.role !== "web") {
    worker = new Worker(ctx.db, { handlers: jobHandlers(ctx, log), log: (m) => app.log.warn(m) });
    worker.start();
    stopSchedule = startSchedule(ctx, recurringJobs(ctx), log);
    // Semantic search on a fresh install: the worker trains the first model in the background.
    void queueFirstModel(ctx).catch((e: unknown) => app.log.error(`search: ${e instanceof Error ? e.message : String(e)}`));
  }
  const shutdown = async (signal: string) => {
    log(`${signal}: shutting down`);
    stopSchedule();
    await worker?.stop();
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  if (config.role === "worker") {
    log("worker started (no web server: ROLE=worker)");
    return;
  }
  await app.listen({ host: config.host, port: config.port });
  log(`Daily Papers at ${config.baseUrl}`);
}
