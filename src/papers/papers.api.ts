/**
 * The Hugging Face Papers-compatible API: same paths, parameters and field names, so existing
 * clients work when pointed at this site. Parameters are validated with zod; a bad one gets a
 * 400 `{error}` that names it.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { intParam } from "../web/params.js";
import type { AppContext } from "../context.js";
import { parseDay, parseMonth, parseWeek } from "../lib/dates.js";
import { badRequest, notFound } from "../web/errors.js";
import { parseArxivId } from "./arxiv-id.js";
import { findFeedEntry, latestFeedDay, listFeed } from "./feed.queries.js";
import { presentDailyItem, presentPaper } from "./papers.present.js";
import { findPaperByArxivId, listPapersAfter } from "./papers.queries.js";

const dailyQuery = z
  .object({
    date: z.string().optional(),
    week: z.string().optional(),
    month: z.string().optional(),
    p: intParam("p", 0, 100000, 0),
    limit: intParam("limit", 1, 100, 50),
    sort: z.enum(["publishedAt", "trending"], { errorMap: () => ({ message: "sort must be publishedAt or trending" }) }).optional(),
    submitter: z.string().max(100, "submitter is too long").optional(),
  })
  .refine((q) => [q.date, q.week, q.month].filter((v) => v !== undefined).length <= 1, { message: "give at most one of date, week and month" });

const listQuery = z.object({
  cursor: z.string().optional(),
  limit: intParam("limit", 1, 100, 50),
});

function parseOr400<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw badRequest(r.error.issues.map((i) => i.message).join("; "));
  return r.data;
}

function encodeCursor(id: number): string {
  return Buffer.from(`p:${id}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const m = /^p:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw badRequest("cursor is not one this API gave out");
  return Number(m[1]);
}

export function registerPaperApi(app: FastifyInstance, ctx: AppContext): void {
  const base = ctx.config.baseUrl;

  app.get("/api/daily_papers", async (req) => {
    const q = parseOr400(dailyQuery, req.query);
    let from: string;
    let to: string;
    if (q.date !== undefined) {
      const d = parseDay(q.date);
      if (!d.ok) throw badRequest(`date: ${d.reason}`);
      from = to = d.day;
    } else if (q.week !== undefined) {
      const w = parseWeek(q.week);
      if (!w.ok) throw badRequest(`week: ${w.reason}`);
      ({ from, to } = w);
    } else if (q.month !== undefined) {
      const m = parseMonth(q.month);
      if (!m.ok) throw badRequest(`month: ${m.reason}`);
      ({ from, to } = m);
    } else {
      const latest = await latestFeedDay(ctx.db);
      if (!latest) return [];
      from = to = latest;
    }
    const items = await listFeed(ctx.db, { from, to, sort: q.sort ?? "publishedAt", limit: q.limit, offset: q.p * q.limit, submitter: q.submitter });
    return items.map((it) => presentDailyItem(base, it));
  });

  // /api/papers/search (hybrid ranking) lives in search/search.routes.ts.

  app.get("/api/papers", async (req, reply) => {
    const q = parseOr400(listQuery, req.query);
    const after = q.cursor ? decodeCursor(q.cursor) : 0;
    const rows = await listPapersAfter(ctx.db, after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    if (rows.length > q.limit) {
      const next = encodeCursor(page[page.length - 1].id);
      reply.header("link", `<${base}/api/papers?cursor=${next}&limit=${q.limit}>; rel="next"`);
    }
    return page.map((p) => presentPaper(base, p, null));
  });

  app.get<{ Params: { "*": string } }>("/api/papers/*", async (req) => {
    const parsed = parseArxivId(req.params["*"]);
    if (!parsed.ok) throw notFound(`not a paper id: ${parsed.reason}`);
    const paper = await findPaperByArxivId(ctx.db, parsed.id);
    if (!paper || paper.hidden) throw notFound(`paper ${parsed.id} not found`);
    return presentPaper(base, paper, await findFeedEntry(ctx.db, paper.id));
  });
}
