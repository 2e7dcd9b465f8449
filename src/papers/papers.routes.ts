/**
 * The feed's pages: the latest day, archive days/weeks/months, trending and the paper page.
 * Each answers HTML, JSON, and (lists) Atom/RSS through sendPage.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { addDays, formatWeek, humanDay, humanMonth, humanShortDay, parseDay, parseMonth, parseWeek } from "../lib/dates.js";
import { TRENDING_DAYS } from "../ranking/trending.js";
import { paperCommunity, votedPaperIds } from "../community/index.js";
import { badRequest, notFound } from "../web/errors.js";
import type { FeedDoc } from "../web/feeds.js";
import { formatOf, pathWithFormat } from "../web/format.js";
import { sendPage } from "../web/page.js";
import { parseArxivId } from "./arxiv-id.js";
import { adjacentFeedDays, findFeedEntries, findFeedEntry, latestFeedDay, listFeed, type FeedItem, type FeedSort } from "./feed.queries.js";
import { citationMeta, paperFeed, paperLinks, presentDailyItem, presentPaper, summaryLine } from "./papers.present.js";
import { findPaperByArxivId, papersByAuthor } from "./papers.queries.js";
import { texToText } from "./tex.js";
import { bibtexEntry } from "./bibtex.js";
import { AuthorPage, authorPath, FeedPage, PaperPage, type PeriodNav } from "./papers.views.js";
import { similarPapers } from "../search/search.routes.js";
import { SimilarPapers } from "../search/search.views.js";
import { avatarSvg, thumbnailSvg } from "./papers.images.js";

const PAGE_SIZE = 50;
/** Nearest papers listed at the foot of a paper page. */
const SIMILAR_ON_PAGE = 6;

const pageQuery = z.object({
  p: z.coerce.number({ invalid_type_error: "p must be a page number" }).int("p must be a whole number").min(0, "p must be 0 or more").max(10000, "p is too large").default(0),
});

function parsePage(query: unknown): number {
  const r = pageQuery.safeParse(query ?? {});
  if (!r.success) throw badRequest(r.error.issues[0].message);
  return r.data.p;
}

interface ListSpec {
  path: string;
  heading: string;
  title: string;
  intro?: string;
  from: string;
  to: string;
  sort: FeedSort;
  nav: PeriodNav | null;
  section: "daily" | "trending";
}

async function sendList(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, spec: ListSpec): Promise<FastifyReply> {
  const page = parsePage(req.query);
  const rows = await listFeed(ctx.db, { from: spec.from, to: spec.to, sort: spec.sort, limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE });
  const hasMore = rows.length > PAGE_SIZE;
  const items = rows.slice(0, PAGE_SIZE);
  const base = ctx.config.baseUrl;
  const voted = req.viewer ? await votedPaperIds(ctx.db, req.viewer.id, items.map((it) => it.paper.id)) : new Set<number>();
  return sendPage(ctx, req, reply, {
    title: spec.title,
    description: spec.intro,
    section: spec.section,
    path: spec.path,
    json: {
      title: spec.heading,
      from: spec.from,
      to: spec.to,
      page,
      hasMore,
      prev: spec.nav?.prev?.href ?? null,
      next: spec.nav?.next?.href ?? null,
      papers: items.map((it) => presentDailyItem(base, it)),
    },
    feed: () => feedDoc(base, spec, items),
    body: () => FeedPage({ heading: spec.heading, intro: spec.intro, nav: spec.nav, items, page, hasMore, basePath: spec.path, feedPath: spec.path, votes: req.viewer ? { csrf: req.csrfToken, voted } : undefined }),
  });
}

function feedDoc(base: string, spec: ListSpec, items: FeedItem[]): FeedDoc {
  return paperFeed(base, {
    title: `Daily Papers: ${spec.heading}`,
    subtitle: spec.intro ?? "Papers featured on Daily Papers",
    pageUrl: `${base}${spec.path}`,
    atomUrl: `${base}${spec.path}.atom`,
    rssUrl: `${base}${spec.path}.rss`,
  }, items.map((it) => it.paper));
}

/** "Week 26", with the year when it differs from the week being shown. */
function weekLabel(week: string, current: string): string {
  const n = Number(week.slice(6));
  return week.slice(0, 4) === current.slice(0, 4) ? `Week ${n}` : `Week ${n}, ${week.slice(0, 4)}`;
}

async function dayNav(ctx: AppContext, day: string): Promise<PeriodNav> {
  const { prev, next } = await adjacentFeedDays(ctx.db, day);
  return {
    label: humanDay(day),
    prev: prev ? { href: `/papers/date/${prev}`, label: humanShortDay(prev) } : null,
    next: next ? { href: `/papers/date/${next}`, label: humanShortDay(next) } : null,
    views: [
      { href: `/papers/date/${day}`, label: "Day", current: true },
      { href: `/papers/week/${formatWeek(day)}`, label: "Week", current: false },
      { href: `/papers/month/${day.slice(0, 7)}`, label: "Month", current: false },
    ],
  };
}

export function registerPaperRoutes(app: FastifyInstance, ctx: AppContext): void {
  const daySpec = async (day: string, path: string): Promise<ListSpec> => ({
    path,
    heading: humanDay(day),
    title: path === "/papers" ? "Daily Papers" : `Papers of ${humanDay(day)}`,
    intro: "Papers of the day, ranked by the community's upvotes.",
    from: day,
    to: day,
    sort: "upvotes",
    nav: await dayNav(ctx, day),
    section: "daily",
  });

  app.get("/papers", async (req, reply) => {
    const day = await latestFeedDay(ctx.db);
    if (!day) {
      return sendList(ctx, req, reply, { path: "/papers", heading: "No papers yet", title: "Daily Papers", from: "9999-12-31", to: "9999-12-31", sort: "upvotes", nav: null, section: "daily", intro: "Import papers with `dailypapers import` or submit one." });
    }
    return sendList(ctx, req, reply, await daySpec(day, "/papers"));
  });

  app.get<{ Params: { day: string } }>("/papers/date/:day", async (req, reply) => {
    const d = parseDay(req.params.day);
    if (!d.ok) throw badRequest(d.reason);
    return sendList(ctx, req, reply, await daySpec(d.day, `/papers/date/${d.day}`));
  });

  app.get<{ Params: { week: string } }>("/papers/week/:week", async (req, reply) => {
    const w = parseWeek(req.params.week);
    if (!w.ok) throw badRequest(w.reason);
    const { prev, next } = await adjacentFeedDays(ctx.db, w.from, w.to);
    const label = `Week ${w.week.slice(6)} of ${w.week.slice(0, 4)}`;
    return sendList(ctx, req, reply, {
      path: `/papers/week/${w.week}`,
      heading: `${label} (${humanShortDay(w.from)} – ${humanShortDay(w.to)})`,
      title: label,
      intro: "The week's papers, ranked by upvotes.",
      from: w.from,
      to: w.to,
      sort: "upvotes",
      section: "daily",
      nav: {
        label,
        prev: prev ? { href: `/papers/week/${formatWeek(prev)}`, label: weekLabel(formatWeek(prev), w.week) } : null,
        next: next ? { href: `/papers/week/${formatWeek(next)}`, label: weekLabel(formatWeek(next), w.week) } : null,
        views: [
          { href: `/papers/date/${w.from}`, label: "Day", current: false },
          { href: `/papers/week/${w.week}`, label: "Week", current: true },
          { href: `/papers/month/${w.from.slice(0, 7)}`, label: "Month", current: false },
        ],
      },
    });
  });

  app.get<{ Params: { month: string } }>("/papers/month/:month", async (req, reply) => {
    const m = parseMonth(req.params.month);
    if (!m.ok) throw badRequest(m.reason);
    const { prev, next } = await adjacentFeedDays(ctx.db, m.from, m.to);
    return sendList(ctx, req, reply, {
      path: `/papers/month/${m.month}`,
      heading: humanMonth(m.month),
      title: humanMonth(m.month),
      intro: "The month's papers, ranked by upvotes.",
      from: m.from,
      to: m.to,
      sort: "upvotes",
      section: "daily",
      nav: {
        label: humanMonth(m.month),
        prev: prev ? { href: `/papers/month/${prev.slice(0, 7)}`, label: humanMonth(prev.slice(0, 7)) } : null,
        next: next ? { href: `/papers/month/${next.slice(0, 7)}`, label: humanMonth(next.slice(0, 7)) } : null,
        views: [
          { href: `/papers/date/${m.from}`, label: "Day", current: false },
          { href: `/papers/week/${formatWeek(m.from)}`, label: "Week", current: false },
          { href: `/papers/month/${m.month}`, label: "Month", current: true },
        ],
      },
    });
  });

  app.get("/papers/trending", async (req, reply) => {
    const latest = (await latestFeedDay(ctx.db)) ?? "9999-12-31";
    return sendList(ctx, req, reply, {
      path: "/papers/trending",
      heading: "Trending papers",
      title: "Trending",
      intro: `The most upvoted and discussed papers of the last ${TRENDING_DAYS} days, newer papers favoured.`,
      from: addDays(latest, -(TRENDING_DAYS - 1)),
      to: latest,
      sort: "trending",
      nav: null,
      section: "trending",
    });
  });

  app.get<{ Params: { name: string } }>("/avatars/:name", async (req, reply) => {
    const name = req.params.name.replace(/\.svg$/, "");
    return reply.type("image/svg+xml").header("cache-control", "public, max-age=86400").send(avatarSvg(name));
  });

  // An author's papers. The name is compared loosely (case, accents, dots, spacing); the
  // page's canonical address spells it as their newest paper does.
  app.get<{ Params: { name: string } }>("/authors/:name", async (req, reply) => {
    const name = req.params.name.replace(/\s+/g, " ").trim();
    if (name.length > 100) throw badRequest("An author name has at most 100 characters.");
    if (!/[\p{L}\p{N}]/u.test(name)) throw notFound("No author here: the name has no letters.");
    const page = parsePage(req.query);
    const found = await papersByAuthor(ctx.db, name, PAGE_SIZE, page * PAGE_SIZE);
    if (found.spelled === null) throw notFound(`We have no papers by ${name}.`);
    const entries = await findFeedEntries(ctx.db, found.papers.map((p) => p.id));
    const items = found.papers.map((paper) => ({ paper, entry: entries.get(paper.id) ?? null }));
    const hasMore = (page + 1) * PAGE_SIZE < found.total;
    const spelled = found.spelled;
    const path = authorPath(spelled);
    const base = ctx.config.baseUrl;
    const voted = req.viewer ? await votedPaperIds(ctx.db, req.viewer.id, items.map((it) => it.paper.id)) : new Set<number>();
    return sendPage(ctx, req, reply, {
      title: `Papers by ${spelled}`,
      description: `${spelled}'s papers on Daily Papers, newest first.`,
      path,
      json: { author: spelled, total: found.total, coauthors: found.coauthors, page, hasMore, papers: items.map((it) => presentDailyItem(base, it)) },
      feed: () => paperFeed(base, {
        title: `Daily Papers: papers by ${spelled}`,
        subtitle: `New papers by ${spelled}`,
        pageUrl: `${base}${path}`,
        atomUrl: `${base}${path}.atom`,
        rssUrl: `${base}${path}.rss`,
      }, found.papers),
      body: () => AuthorPage({ name: spelled, total: found.total, coauthors: found.coauthors, items, page, hasMore, votes: req.viewer ? { csrf: req.csrfToken, voted } : undefined }),
    });
  });

  // Paper pages: ids may contain a slash (hep-th/9901001), hence the wildcard.
  app.get<{ Params: { "*": string } }>("/papers/*", async (req, reply) => {
    let raw = req.params["*"];
    const thumbnail = raw.endsWith("/thumbnail.svg");
    if (thumbnail) raw = raw.slice(0, -"/thumbnail.svg".length);
    const parsed = parseArxivId(raw);
    if (!parsed.ok) throw notFound(`No paper here: ${parsed.reason}.`);
    if (parsed.id !== raw) {
      const target = thumbnail ? `/papers/${parsed.id}/thumbnail.svg` : pathWithFormat(`/papers/${parsed.id}`, formatOf(req));
      return reply.redirect(target, 301);
    }
    const paper = await findPaperByArxivId(ctx.db, parsed.id);
    if (!paper || paper.hidden) throw notFound(`We do not have arXiv:${parsed.id}.`);
    if (thumbnail) return reply.type("image/svg+xml").header("cache-control", "public, max-age=3600").send(thumbnailSvg(paper));
    const entry = await findFeedEntry(ctx.db, paper.id);
    const community = await paperCommunity(ctx, req, paper, entry);
    const similar = await similarPapers(ctx, paper.id, SIMILAR_ON_PAGE, { log: (m) => req.log.warn(m) });
    return sendPage(ctx, req, reply, {
      title: texToText(paper.title),
      description: summaryLine(paper.abstract),
      ogType: "article",
      meta: citationMeta(paper),
      bib: () => bibtexEntry(paper),
      path: `/papers/${paper.arxiv_id}`,
      json: { ...presentPaper(ctx.config.baseUrl, paper, entry), categories: paper.categories.split(" "), version: paper.version, comment: paper.comment, journalRef: paper.journal_ref, doi: paper.doi, links: paperLinks(paper), feedDay: entry?.day ?? null, ...community.json, similar: similar.map((p) => presentPaper(ctx.config.baseUrl, p, null)) },
      body: () => PaperPage({ paper, entry, vote: community.vote, community: community.views(), similar: SimilarPapers({ papers: similar }) }),
    });
  });
}
