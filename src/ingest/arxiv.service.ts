/**
 * arXiv as the rest of the program sees it: clients built from the configuration (sharing one
 * polite connection so arXiv sees a single, spaced client), the scheduled/CLI harvest, and
 * fetching one unknown paper when a reader submits it.
 */
import type { AppContext } from "../context.js";
import { addDays, formatDay } from "../lib/dates.js";
import type { PaperRecord } from "../papers/paper.js";
import { ArxivApiClient, ArxivApiError, HttpError, PoliteHttp, type PoliteHttpOptions } from "./arxiv.client.js";
import { harvest, type HarvestSummary } from "./harvest.js";
import { refreshTrendingScores } from "../community/index.js";
import { OaiClient } from "./oai.client.js";
import { HttpError as UserFacingError } from "../web/errors.js";

/** Papers first submitted more than this long before their OAI datestamp are not "newly announced". */
const NEW_PAPER_WINDOW_DAYS = 7;

/**
 * A submitter is waiting on the page: fewer, shorter tries than a background harvest, so
 * arXiv being down gives a message within seconds rather than minutes.
 */
export const SUBMISSION_FETCH: PoliteHttpOptions = { maxAttempts: 2, timeoutMs: 10_000, backoffBaseMs: 1000, maxDelayMs: 5000 };

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
  const summary = await harvest(ctx.db, oai, {
    categories: opts.categories,
    from: opts.from ?? addDays(formatDay(ctx.now()), -2),
    until: opts.until,
    now: ctx.now,
    log: opts.log,
    feedDay: autoFeed ? (datestamp) => datestamp : undefined,
    isNew: isNewAnnouncement,
  });
  if (summary.featured > 0) await refreshTrendingScores(ctx.db);
  return summary;
}

/** Whether a harvested version-1 record is a new announcement (not an old paper re-stamped). */
export function isNewAnnouncement(paper: PaperRecord, datestamp: string): boolean {
  const age = (new Date(`${datestamp}T23:59:59Z`).getTime() - paper.firstVersionAt.getTime()) / 86400000;
  return paper.version === 1 && age <= NEW_PAPER_WINDOW_DAYS;
}

/**
 * The submission hook: a paper we do not hold is fetched from the arXiv API. Unknown ids give
 * null (the submitter is told arXiv has no such paper); withdrawn papers and arXiv being
 * unavailable are errors with a message for the submitter.
 */
export function arxivFetchUnknown(api: ArxivApiClient): (arxivId: string) => Promise<PaperRecord | null> {
  return async (arxivId) => {
    try {
      const r = await api.fetchById([arxivId]);
      if (r.withdrawn.some((w) => w.paper.arxivId === arxivId)) {
        throw new UserFacingError(409, `arXiv:${arxivId} has been withdrawn by its authors, so it cannot be submitted.`);
      }
      return r.papers.find((p) => p.arxivId === arxivId) ?? null;
    } catch (e) {
      if (e instanceof ArxivApiError || e instanceof HttpError) {
        throw new UserFacingError(503, `arXiv did not answer for ${arxivId} (${e.message}). Please try again in a few minutes.`);
      }
      throw e;
    }
  };
}
