/**
 * GET /for-you (+ .json): personal recommendations on the web. The papers of the last week of
 * feed days most like the reader's own (upvoted, submitted, saved), chosen by the very code
 * that fills the "for you" part of a digest, each with its reason.
 */
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { votedPaperIds, wantsJson } from "../community/index.js";
import { addDays, dayInZone } from "../lib/dates.js";
import { findFeedEntries, latestFeedDay } from "../papers/feed.queries.js";
import { presentDailyItem } from "../papers/papers.present.js";
import { findPapersByIds } from "../papers/papers.queries.js";
import { HttpError } from "../web/errors.js";
import { sendPage } from "../web/page.js";
import { forYouItems } from "./digest.build.js";
import { DigestRunner } from "./digest.jobs.js";
import type { DigestPeriod } from "./digest.period.js";
import { reasonText } from "./digest.render.js";
import { ForYouPage } from "./for-you.views.js";

/** Feed days the page looks back over, ending with the latest. */
const WINDOW_DAYS = 7;
const SHOWN = 30;

export function registerForYouRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Its cache of a period's papers is shared by every reader of the page.
  const runner = new DigestRunner(ctx);

  app.get("/for-you", async (req, reply) => {
    const viewer = req.viewer;
    if (!viewer) {
      if (wantsJson(req)) throw new HttpError(401, "Log in to see papers picked for you.", "unauthenticated");
      return reply.redirect("/login?next=/for-you");
    }
    const to = (await latestFeedDay(ctx.db)) ?? dayInZone(ctx.now(), ctx.config.feedTimeZone);
    const from = addDays(to, -(WINDOW_DAYS - 1));
    const period: DigestPeriod = { key: `for-you:${from}:${to}`, frequency: "weekly", from, to };
    const { seeds, items } = await forYouItems(ctx.db, await runner.periodData(period), viewer.id, SHOWN);
    const papers = new Map((await findPapersByIds(ctx.db, items.map((i) => i.paperId))).map((p) => [p.id, p]));
    const entries = await findFeedEntries(ctx.db, [...papers.keys()]);
    const shown = items.filter((i) => papers.has(i.paperId)).map((i) => ({
      paper: papers.get(i.paperId)!,
      entry: entries.get(i.paperId) ?? null,
      reasons: i.reasons.map(reasonText),
    }));
    const voted = await votedPaperIds(ctx.db, viewer.id, shown.map((it) => it.paper.id));
    const base = ctx.config.baseUrl;
    return sendPage(ctx, req, reply, {
      title: "For you",
      path: "/for-you",
      section: "other",
      json: { from, to, seeds, papers: shown.map((it) => ({ ...presentDailyItem(base, it), reasons: it.reasons })) },
      body: () => ForYouPage({ items: shown, seeds, from, to, vote: (id) => ({ csrf: req.csrfToken, voted: voted.has(id) }) }),
    });
  });
}
