/** Every job the worker knows, by name. A feature adds its jobs here. */
import type { AppContext } from "../context.js";
import { arxivClients, runHarvest } from "../ingest/arxiv.service.js";
import { mailJobHandlers } from "../mail/mail.jobs.js";
import { digestJobHandlers } from "../digests/index.js";
import { searchJobHandlers } from "../search/search.jobs.js";
import type { JobHandler } from "./worker.js";

export function jobHandlers(ctx: AppContext, log: (m: string) => void): Record<string, JobHandler> {
  const arxiv = arxivClients(ctx);
  return {
    ...mailJobHandlers(ctx.mailer),
    ...digestJobHandlers(ctx, log),
    ...searchJobHandlers(ctx, log),
    harvest: async (payload) => {
      const { categories } = payload as { categories: string[] };
      const s = await runHarvest(ctx, arxiv.oai, { categories, log });
      log(`harvest: ${s.inserted} new, ${s.updated} updated, ${s.featured} featured`);
    },
  };
}
