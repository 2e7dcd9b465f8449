/**
 * Threaded comments. A paper's `num_comments` counts its visible comments (not deleted, not
 * hidden) and, with the trending score, changes in the same transaction as the comment.
 * Posting notifies the users it @mentions and the author of the comment it replies to, in the
 * app and, when they opted in, by email (a `mail` job enqueued in the same transaction).
 */
import type { AppContext } from "../context.js";
import type { Db } from "../db/database.js";
import type { CommentRow, PaperRow } from "../db/schema.js";
import { enqueueMail } from "../mail/mail.jobs.js";
import { HttpError, badRequest, notFound } from "../web/errors.js";
import { renderMarkdown } from "./markdown.js";
import { logModeration } from "./moderation.queries.js";
import type { Viewer } from "./policy.js";
import { storeTrendingScore } from "./trending.queries.js";

export const COMMENT_MAX_CHARS = 10_000;

export function checkBody(body: string): string {
  const text = body.replace(/\r\n/g, "\n").trim();
  if (!text) throw badRequest("Write something first: the comment is empty.");
  if (text.length > COMMENT_MAX_CHARS) throw badRequest(`A comment has at most ${COMMENT_MAX_CHARS} characters; this one has ${text.length}.`);
  return text;
}

async function bumpCount(tx: Db, paperId: number, delta: 1 | -1): Promise<void> {
  await tx.updateTable("papers").set((eb) => ({ num_comments: eb("num_comments", "+", delta) })).where("id", "=", paperId).execute();
  await storeTrendingScore(tx, paperId);
}

export async function findComment(db: Db, id: number): Promise<CommentRow> {
  const c = await db.selectFrom("comments").selectAll().where("id", "=", id).executeTakeFirst();
  if (!c) throw notFound("That comment does not exist.");
  return c;
}

async function notify(ctx: AppContext, tx: Db, paper: PaperRow, comment: { id: number; mentions: string[]; parentAuthor: number | null }, actor: Viewer, now: Date): Promise<void> {
  const targets = new Map<number, "mention" | "reply">();
  if (comment.mentions.length) {
    const users = await tx.selectFrom("users").select("id").where("username", "in", comment.mentions).where("email_confirmed_at", "is not", null).execute();
    for (const u of users) targets.set(u.id, "mention");
  }
  if (comment.parentAuthor !== null && !targets.has(comment.parentAuthor)) targets.set(comment.parentAuthor, "reply");
  targets.delete(actor.id);
  if (targets.size === 0) return;
  await tx
    .insertInto("notifications")
    .values([...targets].map(([userId, kind]) => ({ user_id: userId, kind, actor_id: actor.id, paper_id: paper.id, comment_id: comment.id, created_at: now.toISOString(), read_at: null })))
    .execute();
  const emailed = await tx
    .selectFrom("users")
    .select(["id", "username", "email"])
    .where("id", "in", [...targets.keys()])
    .where("notify_by_email", "=", 1)
    .where("email_confirmed_at", "is not", null)
    .where("banned_at", "is", null)
    .execute();
  for (const u of emailed) {
    await enqueueMail(tx, {
      kind: "notice", notice: targets.get(u.id)!, to: u.email, username: u.username, actor: actor.username, paperTitle: paper.title,
      url: `${ctx.config.baseUrl}/papers/${paper.arxiv_id}#c${comment.id}`,
    }, now);
  }
}

export async function createComment(ctx: AppContext, user: Viewer, paper: PaperRow, input: { body: string; parentId?: number }): Promise<CommentRow> {
  const body = checkBody(input.body);
  const now = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    let parentAuthor: number | null = null;
    if (input.parentId !== undefined) {
      const parent = await tx.selectFrom("comments").selectAll().where("id", "=", input.parentId).executeTakeFirst();
      if (!parent || parent.paper_id !== paper.id) throw notFound("The comment you replied to does not exist on this paper.");
      if (parent.deleted || parent.hidden) throw new HttpError(409, "The comment you replied to was removed; reply to the paper instead.", "conflict");
      parentAuthor = parent.user_id;
    }
    const comment = await tx
      .insertInto("comments")
      .values({ paper_id: paper.id, user_id: user.id, parent_id: input.parentId ?? null, body, created_at: now.toISOString(), edited_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await bumpCount(tx, paper.id, 1);
    await notify(ctx, tx, paper, { id: comment.id, mentions: renderMarkdown(body).mentions, parentAuthor }, user, now);
    return comment;
  });
}

/**
 * Authorize (editComment) before calling. Users the edit newly @mentions are notified as for a
 * new comment; those the comment already mentioned were told the first time.
 */
export async function editComment(ctx: AppContext, author: Viewer, comment: CommentRow, body: string): Promise<void> {
  const text = checkBody(body);
  const now = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    await tx.updateTable("comments").set({ body: text, edited_at: now.toISOString() }).where("id", "=", comment.id).execute();
    const before = new Set(renderMarkdown(comment.body).mentions);
    const added = renderMarkdown(text).mentions.filter((m) => !before.has(m));
    if (added.length === 0) return;
    const paper = await tx.selectFrom("papers").selectAll().where("id", "=", comment.paper_id).executeTakeFirstOrThrow();
    await notify(ctx, tx, paper, { id: comment.id, mentions: added, parentAuthor: null }, author, now);
  });
}

/** The author deletes: the text goes, the place in the thread stays (replies keep their context). Authorize before calling. */
export async function deleteComment(ctx: AppContext, comment: CommentRow): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const r = await tx.updateTable("comments").set({ deleted: 1, body: "" }).where("id", "=", comment.id).where("deleted", "=", 0).executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0 && !comment.hidden) await bumpCount(tx, comment.paper_id, -1);
  });
}

/** A moderator hides or shows a comment again, with a reason for the public log. Authorize before calling. */
export async function setCommentHidden(ctx: AppContext, moderator: Viewer, comment: CommentRow, hidden: boolean, reason: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    const r = await tx.updateTable("comments").set({ hidden: hidden ? 1 : 0 }).where("id", "=", comment.id).where("hidden", "=", hidden ? 0 : 1).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return;
    if (!comment.deleted) await bumpCount(tx, comment.paper_id, hidden ? -1 : 1);
    const author = await tx.selectFrom("users").select("username").where("id", "=", comment.user_id).executeTakeFirst();
    await logModeration(tx, { moderatorId: moderator.id, action: hidden ? "hide_comment" : "unhide_comment", targetKind: "comment", targetId: comment.id, targetLabel: `comment by ${author?.username ?? "?"}`, reason }, now);
  });
}

export interface ThreadComment {
  id: number;
  parentId: number | null;
  author: { username: string; displayName: string };
  authorId: number;
  body: string;
  html: string;
  createdAt: string;
  editedAt: string | null;
  hidden: boolean;
  deleted: boolean;
  replies: ThreadComment[];
}

/**
 * A paper's comments as a tree, oldest first at each level. Removed comments stay as
 * placeholders only while they have replies to give context to; moderators also see the
 * text of hidden ones.
 */
export async function commentThread(db: Db, paperId: number, opts: { showHidden: boolean }): Promise<ThreadComment[]> {
  const rows = await db
    .selectFrom("comments as c")
    .innerJoin("users as u", "u.id", "c.user_id")
    .select(["c.id", "c.parent_id", "c.user_id", "c.body", "c.created_at", "c.edited_at", "c.hidden", "c.deleted", "u.username", "u.display_name"])
    .where("c.paper_id", "=", paperId)
    .orderBy("c.id")
    .execute();
  const byId = new Map<number, ThreadComment>();
  const roots: ThreadComment[] = [];
  for (const r of rows) {
    const removed = r.deleted === 1 || (r.hidden === 1 && !opts.showHidden);
    const node: ThreadComment = {
      id: r.id, parentId: r.parent_id, authorId: r.user_id, author: { username: r.username, displayName: r.display_name },
      body: removed ? "" : r.body, html: removed ? "" : renderMarkdown(r.body).html,
      createdAt: r.created_at, editedAt: r.edited_at, hidden: r.hidden === 1, deleted: r.deleted === 1, replies: [],
    };
    byId.set(r.id, node);
    const parent = r.parent_id !== null ? byId.get(r.parent_id) : undefined;
    (parent ? parent.replies : roots).push(node);
  }
  const prune = (list: ThreadComment[]): ThreadComment[] =>
    list.filter((c) => {
      c.replies = prune(c.replies);
      return c.replies.length > 0 || !(c.deleted || (c.hidden && !opts.showHidden));
    });
  return prune(roots);
}

