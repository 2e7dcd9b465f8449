/** POST /upvote/:arxivId: one vote per user and paper, set on or off (or toggled). Answers JSON to fetch calls. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { presentVote } from "./community.present.js";
import { rateLimit } from "./limits.js";
import { visiblePaper } from "./papers.lookup.js";
import { authorize } from "./policy.js";
import { answer, parseBody, safeReturn } from "./respond.js";
import { setVote } from "./votes.queries.js";

const voteSchema = z.object({
  vote: z.enum(["0", "1"], { errorMap: () => ({ message: "vote must be 1 (upvote) or 0 (remove the upvote)" }) }).optional(),
  return_to: z.string().optional(),
});

export function registerVoteRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { "*": string } }>("/upvote/*", { config: { rateLimit: rateLimit("vote") } }, async (req, reply) => {
    const user = authorize(req.viewer, "vote");
    const body = parseBody(voteSchema, req.body);
    const paper = await visiblePaper(ctx, req.params["*"]);
    const result = await setVote(ctx.db, user.id, paper.id, body.vote === undefined ? "toggle" : body.vote === "1", ctx.now());
    return answer(req, reply, presentVote(paper.arxiv_id, result), safeReturn(body.return_to, `/papers/${paper.arxiv_id}`));
  });
}
