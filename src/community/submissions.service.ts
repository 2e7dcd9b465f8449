/**
 * Submitting a paper to today's feed, and curators featuring one into a day. The rules, each
 * with its own message: the paper is known (or fetchable, once arXiv fetching plugs in through
 * `fetchUnknown`), not hidden, not already in a feed, recent enough, and the user is within
 * today's quota. The entry and the paper's trending score are written in one transaction.
 */
import type { AppContext } from "../context.js";
import type { Db } from "../db/database.js";
import type { PaperRow } from "../db/schema.js";
import { dayInZone, parseDay } from "../lib/dates.js";
import { parseArxivId } from "../papers/arxiv-id.js";
import type { PaperRecord } from "../papers/paper.js";
import { findPaperByArxivId, upsertPapers } from "../papers/papers.queries.js";
import { HttpError, badRequest, notFound } from "../web/errors.js";
import { logModeration } from "./moderation.queries.js";
import type { Viewer } from "./policy.js";
import { storeTrendingScore } from "./trending.queries.js";

/** Fetches metadata of a paper this site does not hold (the arXiv API); null when arXiv has none. */
export type FetchUnknown = (arxivId: string) => Promise<PaperRecord | null>;

export interface SubmitOptions {
  fetchUnknown?: FetchUnknown;
}

const DAY_MS = 24 * 3600_000;

async function resolvePaper(ctx: AppContext, raw: string, opts: SubmitOptions): Promise<PaperRow> {
  const input = raw.trim();
  if (!input) throw badRequest("Give an arXiv id (e.g. 2503.01234) or an arXiv URL.");
  const parsed = parseArxivId(input);
  if (!parsed.ok) throw badRequest(`"${input.slice(0, 100)}" is not an arXiv id or URL: ${parsed.reason}.`);
  let paper = await findPaperByArxivId(ctx.db, parsed.id);
  if (!paper && opts.fetchUnknown) {
    const record = await opts.fetchUnknown(parsed.id);
    if (record) {
      await upsertPapers(ctx.db, [{ paper: record, listingDates: [] }], ctx.now());
      paper = await findPaperByArxivId(ctx.db, parsed.id);
    } else {
      throw notFound(`arXiv has no paper ${parsed.id}.`);
    }
  }
  if (!paper) {
    throw notFound(`We do not have arXiv:${parsed.id} yet, so it cannot be submitted. Only papers already imported can be submitted for now.`);
  }
  if (paper.hidden) throw new HttpError(409, `arXiv:${paper.arxiv_id} was removed from the feeds by a moderator.`, "conflict");
  return paper;
}

async function countSubmissions(db: Db, userId: number, day: string): Promise<number> {
  const r = await db.selectFrom("daily_entries").select((eb) => eb.fn.countAll<number>().as("n"))
    .where("submitted_by", "=", userId).where("source", "=", "submission").where("day", "=", day)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function quotaReached(perDay: number): HttpError {
  return new HttpError(429, `You have submitted ${perDay} papers today, the most one person may per day. Submit more tomorrow.`, "submission_quota");
}

async function addEntry(ctx: AppContext, paper: PaperRow, day: string, source: "submission" | "curator", user: Viewer, quota?: number): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    if (quota !== undefined) {
      // The count that decides is taken inside the writing transaction, so two submissions at
      // the same moment cannot both see room for one more. PostgreSQL: the user's row is locked
      // first, which queues a user's concurrent submissions; SQLite runs one write
      // transaction at a time.
      if (ctx.dialect === "postgres") await tx.selectFrom("users").select("id").where("id", "=", user.id).forUpdate().execute();
      if ((await countSubmissions(tx, user.id, day)) >= quota) throw quotaReached(quota);
    }
    const inserted = await tx
      .insertInto("daily_entries")
      .values({ paper_id: paper.id, day, source, submitted_by: user.id, submitted_at: now.toISOString() })
      .onConflict((oc) => oc.column("paper_id").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) throw new HttpError(409, `arXiv:${paper.arxiv_id} was just added to a feed by someone else.`, "conflict");
    await storeTrendingScore(tx, paper.id);
    if (source === "curator") {
      await logModeration(tx, { moderatorId: user.id, action: "feature_paper", targetKind: "paper", targetId: paper.id, targetLabel: paper.title, reason: `featured on ${day}` }, now);
    }
  });
}

async function refuseIfInFeed(ctx: AppContext, paper: PaperRow): Promise<void> {
  const entry = await ctx.db.selectFrom("daily_entries").select("day").where("paper_id", "=", paper.id).executeTakeFirst();
  if (entry) throw new HttpError(409, `arXiv:${paper.arxiv_id} is already in the feed of ${entry.day}.`, "conflict");
}

/** A signed-in user submits a paper to today's feed ("submitted by"). Authorize before calling. */
export async function submitPaper(ctx: AppContext, user: Viewer, input: { paper: string }, opts: SubmitOptions = {}): Promise<{ paper: PaperRow; day: string }> {
  const now = ctx.now();
  const today = dayInZone(now, ctx.config.feedTimeZone);
  const { perUserPerDay, maxAgeDays } = ctx.config.submissions;
  // Checked first so a user at the quota gets the answer before any arXiv fetch; checked again
  // where it counts, in the transaction that adds the entry.
  if ((await countSubmissions(ctx.db, user.id, today)) >= perUserPerDay) throw quotaReached(perUserPerDay);
  const paper = await resolvePaper(ctx, input.paper, opts);
  await refuseIfInFeed(ctx, paper);
  const ageDays = Math.floor((now.getTime() - Date.parse(paper.first_version_at)) / DAY_MS);
  if (ageDays > maxAgeDays) {
    throw badRequest(`arXiv:${paper.arxiv_id} first appeared ${ageDays} days ago (${paper.first_version_at.slice(0, 10)}); only papers from the last ${maxAgeDays} days can be submitted.`);
  }
  await addEntry(ctx, paper, today, "submission", user, perUserPerDay);
  return { paper, day: today };
}

/** A curator features a paper into a day's feed ("featured by"); no age or quota rule. Authorize before calling. */
export async function featurePaper(ctx: AppContext, curator: Viewer, input: { paper: string; day?: string }, opts: SubmitOptions = {}): Promise<{ paper: PaperRow; day: string }> {
  const today = dayInZone(ctx.now(), ctx.config.feedTimeZone);
  let day = today;
  if (input.day) {
    const d = parseDay(input.day);
    if (!d.ok) throw badRequest(`day: ${d.reason}`);
    if (d.day > today) throw badRequest(`day: ${d.day} is in the future; feature into today (${today}) or an earlier day.`);
    day = d.day;
  }
  const paper = await resolvePaper(ctx, input.paper, opts);
  await refuseIfInFeed(ctx, paper);
  await addEntry(ctx, paper, day, "curator", curator);
  return { paper, day };
}
