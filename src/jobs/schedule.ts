/**
 * The one list of recurring jobs. Each tick enqueues a job whose unique key is the job's name
 * and the tick's time, so several worker processes on one database enqueue it once.
 */
import { Cron } from "croner";
import type { AppContext } from "../context.js";
import { enqueue } from "./jobs.queries.js";
import { DIGEST_PLAN_JOB, DIGEST_SCHEDULE } from "../digests/index.js";

export interface Recurring {
  name: string;
  /** Cron expression, evaluated in FEED_TIMEZONE. */
  cron: string;
  payload: (tick: Date) => unknown;
}

export function recurringJobs(ctx: AppContext): Recurring[] {
  const list: Recurring[] = [];
  // Digests: shortly after each feed day closes; the plan job works out which periods closed.
  list.push({ name: DIGEST_PLAN_JOB, cron: DIGEST_SCHEDULE, payload: (tick) => ({ at: tick.toISOString() }) });
  if (ctx.config.arxiv.harvestCategories.length > 0) {
    list.push({ name: "harvest", cron: ctx.config.arxiv.harvestSchedule, payload: () => ({ categories: ctx.config.arxiv.harvestCategories }) });
  }
  // Saves the search snapshot (keyword index, vectors) when papers changed, so a restart loads
  // instead of rebuilding; every process catches up with the database on its own anyway.
  list.push({ name: "search-refresh", cron: "*/5 * * * *", payload: () => ({}) });
  if (ctx.config.search.retrainSchedule) list.push({ name: "search-retrain", cron: ctx.config.search.retrainSchedule, payload: () => ({}) });
  return list;
}

export function startSchedule(ctx: AppContext, jobs: Recurring[], log: (m: string) => void): () => void {
  const crons = jobs.map(
    (job) =>
      new Cron(job.cron, { timezone: ctx.config.feedTimeZone, protect: true }, async () => {
        const tick = ctx.now();
        tick.setSeconds(0, 0);
        try {
          await enqueue(ctx.db, job.name, job.payload(tick), { uniqueKey: `${job.name}@${tick.toISOString()}` }, ctx.now());
        } catch (e) {
          log(`could not enqueue ${job.name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
  );
  return () => crons.forEach((c) => c.stop());
}
