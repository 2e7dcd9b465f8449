/**
 * Search over HTTP: the /search page (HTML, and its .json/.atom/.rss twins through sendPage),
 * the Hugging Face-compatible /api/papers/search, and /api/papers/similar. Parameters are
 * validated with zod; odd text in `q` (TeX, quotes, FTS operators, any Unicode) is just text to
 * the analyzer and never an error.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { first, intParam } from "../web/params.js";
import type { AppContext } from "../context.js";
import type { PaperRow } from "../db/schema.js";
import { parseDay } from "../lib/dates.js";
import { parseArxivId } from "../papers/arxiv-id.js";
import { findFeedEntries } from "../papers/feed.queries.js";
import { paperFeed, presentDailyItem, type HfDailyItem } from "../papers/papers.present.js";
import { findPaperByArxivId, findPapersByIds, papersByAuthor } from "../papers/papers.queries.js";
import { pendingJobs } from "../jobs/jobs.queries.js";
import { badRequest, notFound } from "../web/errors.js";
import type { FeedDoc } from "../web/feeds.js";
import { formatOf } from "../web/format.js";
import { sendPage } from "../web/page.js";
import { FIRST_MODEL_JOB } from "./search.jobs.js";
import { hasFilters, SearchPage, searchHref, searchLabel, type SearchForm } from "./search.views.js";

/** Per the reference API, a query is at most 250 characters; longer ones are cut, not refused. */
export const MAX_QUERY_CHARS = 250;
const PAGE_SIZE = 20;
/** Papers shown when nothing matched, closest by the embedding. */
const NEAREST_ON_EMPTY = 5;

const text = (name: string, max: number) =>
  z.preprocess(first, z.string({ invalid_type_error: `${name} must be text` }).optional())
    .transform((s) => (s ?? "").slice(0, max));

const dayParam = (name: string) =>
  z.preprocess(first, z.string().optional()).transform((v, c) => {
    if (v === undefined || v.trim() === "") return "";
    const d = parseDay(v.trim());
    if (!d.ok) {
      c.addIssue({ code: z.ZodIssueCode.custom, message: `${name}: ${d.reason}` });
      return z.NEVER;
    }
    return d.day;
  });

// Categories: repeated (?cat=cs.CV&cat=cs.LG) or comma-separated (?cat=cs.CV,cs.LG).
const categoriesParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]))
    .flatMap((s) => s.split(/[,\s]+/))
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z-]+(\.[A-Za-z-]+)?$/.test(s))
    .slice(0, 10));

const filterFields = {
  cat: categoriesParam,
  from: dayParam("from"),
  to: dayParam("to"),
  sort: z.preprocess(first, z.enum(["relevance", "date"], { errorMap: () => ({ message: "sort must be relevance or date" }) }).optional()).transform((s) => s ?? "relevance"),
};

const pageSchema = z.object({ q: text("q", MAX_QUERY_CHARS), p: intParam("p", 0, 49, 0), ...filterFields });

const apiSchema = z.object({
  q: z.preprocess(first, z.string({ required_error: "q is required", invalid_type_error: "q must be text" })).transform((s) => s.slice(0, MAX_QUERY_CHARS)),
  limit: intParam("limit", 1, 120, 50),
  p: intParam("p", 0, 1000, 0),
  ...filterFields,
});

const similarSchema = z.object({
  id: z.preprocess(first, z.string({ required_error: "id is required (an arXiv id)" })),
  limit: intParam("limit", 1, 50, 10),
});

function parseOr400<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw badRequest(r.error.issues.map((i) => i.message).join("; "));
  return r.data;
}

/** The arXiv id a whole query names (bare id or arXiv URL), else null. Never throws. */
export function queryArxivId(q: string): string | null {
  const s = q.trim();
  if (s.length < 9 || /\s/.test(s)) return null;
  try {
    const r = parseArxivId(s);
    return r.ok ? r.id : null;
  } catch {
    return null;
  }
}

export interface SearchAnswer {
  papers: PaperRow[];
  total: number;
  hasMore: boolean;
  mode: "keyword" | "hybrid";
  terms: Set<string>;
  suggestion: string | null;
  /** The paper a query's arXiv id named, when known (it is also papers[0]). */
  exact: PaperRow | null;
  missingId: string | null;
}

export async function answerSearch(ctx: AppContext, form: SearchForm, page: number, pageSize: number): Promise<SearchAnswer> {
  const id = queryArxivId(form.q);
  const exact = id ? ((await findPaperByArxivId(ctx.db, id)) ?? null) : null;
  const visibleExact = exact && !exact.hidden ? exact : null;
  const r = await ctx.search.search({
    q: form.q,
    categories: form.categories,
    from: form.from || undefined,
    to: form.to || undefined,
    sort: form.sort,
    offset: page * pageSize,
    // One more than a page tells whether there is a next one.
    limit: pageSize + 1,
  });
  const ids = r.hits.map((h) => h.id).filter((x) => x !== visibleExact?.id);
  let papers = await findPapersByIds(ctx.db, ids);
  const hasMore = papers.length > pageSize;
  papers = papers.slice(0, pageSize);
  if (visibleExact && page === 0) papers = [visibleExact, ...papers].slice(0, pageSize);
  return {
    papers,
    total: r.total + (visibleExact && !r.hits.some((h) => h.id === visibleExact.id) ? 1 : 0),
    hasMore,
    mode: r.mode,
    terms: new Set(r.terms),
    suggestion: r.suggestion,
    exact: visibleExact,
    missingId: id && !visibleExact ? id : null,
  };
}

async function present(ctx: AppContext, papers: PaperRow[]): Promise<HfDailyItem[]> {
  const base = ctx.config.baseUrl;
  const entries = await findFeedEntries(ctx.db, papers.map((p) => p.id));
  return papers.map((paper) => presentDailyItem(base, { paper, entry: entries.get(paper.id) ?? null }));
}

function searchFeed(ctx: AppContext, form: SearchForm, papers: PaperRow[]): FeedDoc {
  const base = ctx.config.baseUrl;
  const href = searchHref(form);
  const query = href.slice("/search".length);
  return paperFeed(base, {
    title: form.q.trim() ? `Daily Papers: search for ${form.q}` : `Daily Papers: newest papers, ${searchLabel(form)}`,
    subtitle: form.q.trim() ? `Papers matching "${form.q}"` : `The newest papers in ${searchLabel(form)}`,
    pageUrl: `${base}${href}`,
    atomUrl: `${base}/search.atom${query}`,
    rssUrl: `${base}/search.rss${query}`,
  }, papers);
}

/** Similar papers of one paper, visible ones only; [] when search fails (a page still renders). */
export async function similarPapers(ctx: AppContext, paperId: number, k: number, opts: { log?: (m: string) => void } = {}): Promise<PaperRow[]> {
  try {
    const hits = await ctx.search.similar(paperId, k + 2);
    return (await findPapersByIds(ctx.db, hits.map((h) => h.id))).filter((p) => p.id !== paperId).slice(0, k);
  } catch (e) {
    opts.log?.(`similar papers of ${paperId}: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

/** Papers by the author a query names, shown above the results (the rest are on their page). */
const AUTHOR_PREVIEW = 3;

/**
 * The author a query names, if it looks like a name (two to four words of letters, as
 * "Yann LeCun" or "J. R. R. Tolkien") and the archive has papers by exactly that name: their
 * newest papers then lead the page, with the way to all of them. A name means nothing to the
 * ranking by meaning, which would otherwise bury them under papers on other things.
 */
async function authorOfQuery(ctx: AppContext, q: string): Promise<{ name: string; total: number; papers: PaperRow[] } | null> {
  const words = q.trim().split(/\s+/);
  if (words.length < 2 || words.length > 4 || !words.every((w) => /^[\p{L}][\p{L}.'’-]*$/u.test(w))) return null;
  const found = await papersByAuthor(ctx.db, q, AUTHOR_PREVIEW, 0);
  return found.spelled === null ? null : { name: found.spelled, total: found.total, papers: found.papers };
}

const CATEGORY_CHOICES = ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "cs.RO", "cs.IR", "cs.CR", "cs.HC", "cs.SD", "eess.IV", "eess.AS", "stat.ML", "math.OC", "q-bio", "physics"];

export function registerSearchRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/search", async (req: FastifyRequest, reply) => {
    const q = parseOr400(pageSchema, req.query);
    const form: SearchForm = { q: q.q, categories: q.cat, from: q.from, to: q.to, sort: q.sort };
    const format = formatOf(req);
    // Words, or filters alone (a category's newest papers).
    const answer = form.q.trim() || hasFilters(form) ? await answerSearch(ctx, form, q.p, PAGE_SIZE) : null;
    // Pasting an arXiv id or URL goes straight to the paper (the page; data formats list it first).
    if (answer?.exact && format === "html") return reply.redirect(`/papers/${answer.exact.arxiv_id}`, 303);
    const papers = answer?.papers ?? [];
    const author = q.p === 0 && form.q.trim() ? await authorOfQuery(ctx, form.q) : null;
    // A fresh install ranks by keywords until its first model is trained: say it is coming.
    const modelTraining = answer?.mode === "keyword" && form.q.trim() !== "" && !ctx.search.hasModel()
      && (await pendingJobs(ctx.db, FIRST_MODEL_JOB)).length > 0;
    const nearest = answer && form.q.trim() && papers.length === 0 && !answer.missingId
      ? await findPapersByIds(ctx.db, (await ctx.search.nearest(form.q, NEAREST_ON_EMPTY)).map((h) => h.id))
      : [];
    return sendPage(ctx, req, reply, {
      title: form.q ? `Search: ${form.q}` : hasFilters(form) ? `Newest papers: ${searchLabel(form)}` : "Search",
      description: "Search the archive of papers by keywords and meaning.",
      section: "search",
      query: form.q,
      path: "/search",
      json: {
        query: form.q,
        filters: { categories: form.categories, from: form.from || null, to: form.to || null },
        sort: form.sort,
        page: q.p,
        pageSize: PAGE_SIZE,
        total: answer?.total ?? 0,
        hasMore: answer?.hasMore ?? false,
        mode: answer?.mode ?? "keyword",
        terms: [...(answer?.terms ?? [])],
        suggestion: answer?.suggestion ?? null,
        author: author && { name: author.name, total: author.total, papers: await present(ctx, author.papers) },
        papers: await present(ctx, papers),
        nearest: await present(ctx, nearest),
      },
      feed: () => searchFeed(ctx, form, papers),
      body: () =>
        SearchPage({
          form,
          papers,
          terms: answer?.terms ?? new Set(),
          total: answer?.total ?? 0,
          page: q.p,
          pageSize: PAGE_SIZE,
          hasMore: answer?.hasMore ?? false,
          mode: answer?.mode ?? "keyword",
          modelTraining,
          suggestion: answer?.suggestion ?? null,
          author,
          nearest,
          missingId: answer?.missingId ?? null,
          categoryChoices: CATEGORY_CHOICES,
        }),
    });
  });

  // Hugging Face-compatible: an array of daily-paper-shaped items. Extra filters are ours.
  app.get("/api/papers/search", async (req) => {
    const q = parseOr400(apiSchema, req.query);
    if (!q.q.trim()) return [];
    const answer = await answerSearch(ctx, { q: q.q, categories: q.cat, from: q.from, to: q.to, sort: q.sort }, q.p, q.limit);
    return present(ctx, answer.papers);
  });

  app.get("/api/papers/similar", async (req) => {
    const q = parseOr400(similarSchema, req.query);
    const id = queryArxivId(q.id) ?? q.id;
    const paper = await findPaperByArxivId(ctx.db, id);
    if (!paper || paper.hidden) throw notFound(`paper ${id.slice(0, 40)} not found`);
    const similar = await similarPapers(ctx, paper.id, q.limit);
    return { id: paper.arxiv_id, similar: (await present(ctx, similar)).map((it) => it.paper) };
  });
}
