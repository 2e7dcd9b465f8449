/**
 * arXiv as the rest of the program sees it: clients built from the configuration (sharing one
 * polite connection so arXiv sees a single, spaced client), the scheduled/CLI harvest, and
 * fetching one unknown paper when a reader submits it.
 */
import type { AppContext } from "../context.js";
import type { Db } from "../db/database.js";
import { addDays, formatDay } from "../lib/dates.js";
import type { PaperRecord } from "../papers/paper.js";
import { upsertPapers } from "../papers/papers.queries.js";
import { ArxivApiClient, ArxivApiError, HttpError, PoliteHttp, type PoliteHttpOptions } from "./arxiv.client.js";
import { harvest, type HarvestSummary } from "./harvest.js";
import { OaiClient } from "./oai.client.js";

/** Papers first submitted more than this long before their OAI datestamp are not "newly announced". */
const NEW_PAPER_WINDOW_DAYS = 7;

export interface ArxivClients {
  api: ArxivApiClient;
  oai: OaiClient;
}

export function arxivClients(ctx: Pick<AppContext, "config">, extra: PoliteHttpOptions = {}): ArxivClients {
  const http = new PoliteHttp({ minIntervalMs: ctx.config.arxiv.requestIntervalMs, ...extra });
  return {
    api: new ArxivApiClient({ baseUrl: ctx.config.arxiv.apiUrl, http }),
    oai: new OaiClient({ baseUrl: ctx.config.arxiv.oaiUrl, http }),
  };
}

export async function runHarvest(
  ctx: Pick<AppContext, "config" | "db" | "now">,
  oai: OaiClient,
  opts: { categories: string[]; from?: string; until?: string; log?: (m: string) => void },
): Promise<HarvestSummary> {
  const autoFeed = ctx.config.arxiv.autoFeed;
  return harvest(ctx.db, oai, {
    categories: opts.categories,
    from: opts.from ?? addDays(formatDay(ctx.now()), -2),
    until: opts.until,
    now: ctx.now,
    log: opts.log,
    feedDay: autoFeed ? (datestamp) => datestamp : undefined,
    isNew: isNewAnnouncement,
  });
}

/** Whether a harvested version-1 record is a new announcement (not an old paper re-stamped). */
export function isNewAnnouncement(paper: PaperRecord, datestamp: string): boolean {
  const age = (new Date(`${datestamp}T23:59:59Z`).getTime() - paper.firstVersionAt.getTime()) / 86400000;
  return paper.version === 1 && age <= NEW_PAPER_WINDOW_DAYS;
}

export type FetchOutcome =
  | { ok: true; paper: PaperRecord }
  | { ok: false; reason: string };

/**
 * Fetches one paper's metadata from the arXiv API and stores it, for a submission of a paper
 * we do not hold. Every failure is a sentence fit for the submitter.
 */
export async function fetchAndStorePaper(db: Db, api: ArxivApiClient, arxivId: string): Promise<FetchOutcome> {
  try {
    const r = await api.fetchById([arxivId]);
    if (r.withdrawn.length > 0) return { ok: false, reason: `arXiv:${arxivId} has been withdrawn by its authors.` };
    const paper = r.papers.find((p) => p.arxivId === arxivId);
    if (!paper) {
      if (r.invalid.length > 0) return { ok: false, reason: r.invalid[0].reason };
      return { ok: false, reason: `arXiv has no paper ${arxivId}. Check the id.` };
    }
    await upsertPapers(db, [{ paper, listingDates: [] }]);
    return { ok: true, paper };
  } catch (e) {
    if (e instanceof ArxivApiError) return { ok: false, reason: `arXiv could not answer for ${arxivId} (${e.message}). Try again later.` };
    if (e instanceof HttpError) return { ok: false, reason: `arXiv is unreachable right now (${e.kind}). Try again in a few minutes.` };
    throw e;
  }
}
