/**
 * Comment writes: post or reply (POST /comment/:arxivId), edit and delete by the author
 * (POST /comments/:id/edit|delete), hide or unhide by a moderator (POST /comments/:id/moderate).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { notFound } from "../web/errors.js";
import { createComment, deleteComment, editComment, findComment, setCommentHidden } from "./comments.service.js";
import { presentComment } from "./community.present.js";
import { rateLimit } from "./limits.js";
import { visiblePaper } from "./papers.lookup.js";
import { authorize } from "./policy.js";
import { answer, parseBody } from "./respond.js";

const postSchema = z.object({
  body: z.string({ required_error: "Write something first: the comment is empty." }),
  parent_id: z.union([z.literal(""), z.coerce.number().int().positive("parent_id must be a comment id")]).optional(),
});
const editSchema = z.object({ body: z.string({ required_error: "Write something first: the comment is empty." }) });
const moderateSchema = z.object({
  action: z.enum(["hide", "unhide"], { errorMap: () => ({ message: "action must be hide or unhide" }) }),
  reason: z.string().trim().max(500, "A reason has at most 500 characters.").optional(),
});

function commentId(raw: string): number {
  if (!/^\d{1,12}$/.test(raw)) throw notFound("That comment does not exist.");
  return Number(raw);
}

async function paperPathOf(ctx: AppContext, paperId: number): Promise<string> {
  const p = await ctx.db.selectFrom("papers").select("arxiv_id").where("id", "=", paperId).executeTakeFirstOrThrow();
  return `/papers/${p.arxiv_id}`;
}

export function registerCommentRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { "*": string } }>("/comment/*", { config: { rateLimit: rateLimit("comment") } }, async (req, reply) => {
    const user = authorize(req.viewer, "comment");
    const body = parseBody(postSchema, req.body);
    const paper = await visiblePaper(ctx, req.params["*"]);
    const parentId = body.parent_id === "" || body.parent_id === undefined ? undefined : body.parent_id;
    const comment = await createComment(ctx, user, paper, { body: body.body, parentId });
    const numComments = (await ctx.db.selectFrom("papers").select("num_comments").where("id", "=", paper.id).executeTakeFirstOrThrow()).num_comments;
    reply.code(201);
    return answer(req, reply, { comment: presentComment(comment, user.username), numComments }, `/papers/${paper.arxiv_id}#c${comment.id}`);
  });

  app.post<{ Params: { id: string } }>("/comments/:id/edit", { config: { rateLimit: rateLimit("comment") } }, async (req, reply) => {
    const comment = await findComment(ctx.db, commentId(req.params.id));
    const author = authorize(req.viewer, "editComment", comment, ctx.now());
    const body = parseBody(editSchema, req.body);
    await editComment(ctx, author, comment, body.body);
    return answer(req, reply, { ok: true }, `${await paperPathOf(ctx, comment.paper_id)}#c${comment.id}`);
  });

  app.post<{ Params: { id: string } }>("/comments/:id/delete", async (req, reply) => {
    const comment = await findComment(ctx.db, commentId(req.params.id));
    authorize(req.viewer, "deleteComment", comment);
    await deleteComment(ctx, comment);
    return answer(req, reply, { ok: true }, `${await paperPathOf(ctx, comment.paper_id)}#discussion`);
  });

  app.post<{ Params: { id: string } }>("/comments/:id/moderate", async (req, reply) => {
    const moderator = authorize(req.viewer, "moderateComment");
    const body = parseBody(moderateSchema, req.body);
    const comment = await findComment(ctx.db, commentId(req.params.id));
    await setCommentHidden(ctx, moderator, comment, body.action === "hide", body.reason || "no reason given");
    return answer(req, reply, { ok: true, hidden: body.action === "hide" }, `${await paperPathOf(ctx, comment.paper_id)}#c${comment.id}`);
  });
}
