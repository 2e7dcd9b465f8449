/**
 * What a search engine needs to find every paper: `/robots.txt` names the sitemap and keeps
 * crawlers out of pages that are personal, one-off or endless (accounts, forms, search
 * results); `/sitemap.xml` is an index of sitemaps (sitemaps.org), one for the site's lists
 * and feed days and one per block of paper ids, each under the protocol's 50,000 URLs.
 */
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { notFound } from "../web/errors.js";
import { escapeHtml } from "./tex.js";

/** Paper ids per sitemap: at most the protocol's 50,000 URLs, however ids are spread. */
export const PAPERS_PER_SITEMAP = 50_000;

/** Paths no crawler should walk: personal, single-use, state-changing or endless. */
const DISALLOWED = [
  "/login", "/signup", "/forgot", "/reset", "/confirm", "/logout", "/settings", "/notifications", "/for-you",
  "/submit", "/subscribe", "/digests/", "/search", "/upvote/", "/comment/", "/comments/", "/feature/", "/moderate/",
  "/collections/save", "/api/",
];

export function robotsTxt(baseUrl: string): string {
  return ["User-agent: *", ...DISALLOWED.map((p) => `Disallow: ${p}`), "", `Sitemap: ${baseUrl}/sitemap.xml`, ""].join("\n");
}

function urlset(urls: Array<{ loc: string; lastmod?: string }>): string {
  const items = urls.map((u) => `<url><loc>${escapeHtml(u.loc)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ""}</url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items.join("\n")}\n</urlset>\n`;
}

export function registerSitemapRoutes(app: FastifyInstance, ctx: AppContext): void {
  const base = () => ctx.config.baseUrl;
  const xml = "application/xml; charset=utf-8";
  // Blocks of ids run up to the largest id, hidden papers' too.
  const maxPaperId = async () => Number((await ctx.db.selectFrom("papers").select((eb) => eb.fn.max("id").as("max")).executeTakeFirst())?.max ?? 0);

  app.get("/robots.txt", async (_req, reply) => reply.type("text/plain; charset=utf-8").send(robotsTxt(base())));

  app.get("/sitemap.xml", async (_req, reply) => {
    const blocks = Math.ceil((await maxPaperId()) / PAPERS_PER_SITEMAP);
    const maps = [`${base()}/sitemaps/pages.xml`, ...Array.from({ length: blocks }, (_, k) => `${base()}/sitemaps/papers-${k + 1}.xml`)];
    const body = maps.map((loc) => `<sitemap><loc>${escapeHtml(loc)}</loc></sitemap>`).join("\n");
    return reply.type(xml).send(`<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</sitemapindex>\n`);
  });

  // The lists: the feed, trending, and every feed day.
  app.get("/sitemaps/pages.xml", async (_req, reply) => {
    const days = await ctx.db.selectFrom("daily_entries").select("day").distinct().orderBy("day", "desc").execute();
    return reply.type(xml).send(urlset([
      { loc: `${base()}/papers` },
      { loc: `${base()}/papers/trending` },
      ...days.map((d) => ({ loc: `${base()}/papers/date/${d.day}`, lastmod: d.day })),
    ]));
  });

  // Papers by blocks of ids: a block's URLs never move to another sitemap as papers arrive.
  app.get<{ Params: { file: string } }>("/sitemaps/:file", async (req, reply) => {
    const m = /^papers-([1-9]\d{0,5})\.xml$/.exec(req.params.file);
    if (!m) throw notFound("There is no such sitemap.");
    const n = Number(m[1]);
    const rows = await ctx.db.selectFrom("papers").select(["arxiv_id", "latest_version_at"])
      .where("id", ">", (n - 1) * PAPERS_PER_SITEMAP).where("id", "<=", n * PAPERS_PER_SITEMAP).where("hidden", "=", 0)
      .orderBy("id").execute();
    // A block with no visible paper is still a valid (empty) sitemap if the index lists it.
    if (rows.length === 0 && (n - 1) * PAPERS_PER_SITEMAP >= (await maxPaperId())) throw notFound("There is no such sitemap.");
    return reply.type(xml).send(urlset(rows.map((p) => ({ loc: `${base()}/papers/${p.arxiv_id}`, lastmod: p.latest_version_at.slice(0, 10) }))));
  });
}
