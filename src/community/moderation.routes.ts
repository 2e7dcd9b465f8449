/** Moderation: hide/unhide a paper, ban/unban a user (POST), and the public log (GET /moderation, + .json). */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { notFound } from "../web/errors.js";
import { sendPage } from "../web/page.js";
import { findUserByUsername } from "./accounts.queries.js";
import { listModerationLog } from "./moderation.queries.js";
import { setPaperHidden, setUserBanned } from "./moderation.service.js";
import { ModerationLogPage } from "./moderation.views.js";
import { visiblePaper } from "./papers.lookup.js";
import { authorize, can } from "./policy.js";
import { answer, parseBody } from "./respond.js";

const reason = z.string({ required_error: "Give a reason: it is shown in the public moderation log." }).trim().min(3, "Give a reason: it is shown in the public moderation log.").max(500, "A reason has at most 500 characters.");
const paperSchema = z.object({ action: z.enum(["hide", "unhide"], { errorMap: () => ({ message: "action must be hide or unhide" }) }), reason });
const userSchema = z.object({ action: z.enum(["ban", "unban"], { errorMap: () => ({ message: "action must be ban or unban" }) }), reason });
const pageQuery = z.object({ p: z.coerce.number().int().min(0).max(100000).default(0) });

const LOG_PAGE = 50;

export function registerModerationRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { "*": string } }>("/moderate/paper/*", async (req, reply) => {
    const moderator = authorize(req.viewer, "moderatePaper");
    const body = parseBody(paperSchema, req.body);
    const paper = await visiblePaper(ctx, req.params["*"], { includeHidden: true });
    const changed = await setPaperHidden(ctx, moderator, paper, body.action === "hide", body.reason);
    return answer(req, reply, { paper: paper.arxiv_id, hidden: body.action === "hide", changed }, body.action === "hide" ? "/moderation" : `/papers/${paper.arxiv_id}`);
  });

  app.post<{ Params: { username: string } }>("/u/:username/ban", async (req, reply) => {
    const moderator = authorize(req.viewer, "moderateComment");
    const user = await findUserByUsername(ctx.db, req.params.username);
    if (!user) throw notFound(`There is no user ${req.params.username}.`);
    authorize(moderator, "banUser", user);
    const body = parseBody(userSchema, req.body);
    const changed = await setUserBanned(ctx, moderator, user, body.action === "ban", body.reason);
    return answer(req, reply, { user: user.username, banned: body.action === "ban", changed }, `/u/${user.username}`);
  });

  app.get("/moderation", async (req, reply) => {
    const q = pageQuery.safeParse(req.query ?? {});
    const page = q.success ? q.data.p : 0;
    const rows = await listModerationLog(ctx.db, LOG_PAGE + 1, page * LOG_PAGE);
    const hasMore = rows.length > LOG_PAGE;
    const shown = rows.slice(0, LOG_PAGE);
    return sendPage(ctx, req, reply, {
      title: "Moderation log",
      path: "/moderation",
      section: "other",
      json: { page, hasMore, entries: shown.map((r) => ({ at: r.createdAt, moderator: r.moderator, action: r.action, target: { kind: r.targetKind, id: r.targetId, label: r.targetLabel, paper: r.paperArxivId }, reason: r.reason })) },
      body: () => ModerationLogPage({ rows: shown, page, hasMore, csrf: can(req.viewer, "moderatePaper") ? req.csrfToken : null }),
    });
  });
}
