/**
 * GET/POST /submit (a form), POST /api/submissions (JSON), POST /feature/:arxivId (curators).
 * Each write: rate limit, then authorization first thing, then validation, then the service.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { HttpError } from "../web/errors.js";
import { sendPage } from "../web/page.js";
import { presentDailyItem } from "../papers/papers.present.js";
import { findFeedEntry } from "../papers/feed.queries.js";
import { rateLimit } from "./limits.js";
import { authorize } from "./policy.js";
import { answer, field, parseBody, wantsJson } from "./respond.js";
import { featurePaper, submitPaper, type SubmitOptions } from "./submissions.service.js";
import { SubmitPage } from "./submissions.views.js";

const submitSchema = z.object({
  paper: z.string({ required_error: "Give an arXiv id (e.g. 2503.01234) or an arXiv URL." }).max(300, "That is too long for an arXiv id or URL."),
});
const featureSchema = z.object({ day: z.string().max(20).optional() });

export function registerSubmissionRoutes(app: FastifyInstance, ctx: AppContext, opts: SubmitOptions = {}): void {
  const page = (req: Parameters<typeof sendPage>[1], reply: Parameters<typeof sendPage>[2], status: number, error: string | null, value: string) =>
    sendPage(ctx, req, reply, {
      title: "Submit a paper",
      path: "/submit",
      section: "other",
      status,
      json: { error, perDay: ctx.config.submissions.perUserPerDay, maxAgeDays: ctx.config.submissions.maxAgeDays },
      body: () => SubmitPage({ csrf: req.csrfToken, error, value, perDay: ctx.config.submissions.perUserPerDay, maxAgeDays: ctx.config.submissions.maxAgeDays, curator: req.viewer?.role !== "reader" }),
    });

  app.get("/submit", async (req, reply) => {
    if (!req.viewer) return reply.redirect("/login?next=/submit");
    return page(req, reply, 200, null, "");
  });

  const submit = async (req: Parameters<typeof sendPage>[1], reply: Parameters<typeof sendPage>[2]) => {
    const user = authorize(req.viewer, "submit");
    const input = parseBody(submitSchema, req.body);
    try {
      const { paper, day } = await submitPaper(ctx, user, input, opts);
      if (wantsJson(req)) {
        const entry = await findFeedEntry(ctx.db, paper.id);
        return reply.code(201).send({ day, ...presentDailyItem(ctx.config.baseUrl, { paper, entry }) });
      }
      return reply.redirect(`/papers/${paper.arxiv_id}`, 303);
    } catch (e) {
      // A browser's form shows the rule it broke in place, with what was typed.
      if (e instanceof HttpError && e.statusCode < 500 && !wantsJson(req)) return page(req, reply, e.statusCode, e.message, field(req.body, "paper"));
      throw e;
    }
  };
  app.post("/submit", { config: { rateLimit: rateLimit("submit") } }, submit);
  app.post("/api/submissions", { config: { rateLimit: rateLimit("submit") } }, submit);

  app.post<{ Params: { "*": string } }>("/feature/*", { config: { rateLimit: rateLimit("submit") } }, async (req, reply) => {
    const user = authorize(req.viewer, "feature");
    const body = parseBody(featureSchema, req.body);
    const { paper, day } = await featurePaper(ctx, user, { paper: req.params["*"], day: body.day }, opts);
    return answer(req, reply, { paper: paper.arxiv_id, day, featuredBy: user.username }, `/papers/${paper.arxiv_id}`);
  });
}
