/** Moderator actions on papers and users; each is logged publicly in its transaction. Authorize before calling. */
import type { AppContext } from "../context.js";
import type { PaperRow, UserRow } from "../db/schema.js";
import { deleteUserSessions } from "./accounts.queries.js";
import { logModeration } from "./moderation.queries.js";
import type { Viewer } from "./policy.js";

export async function setPaperHidden(ctx: AppContext, moderator: Viewer, paper: PaperRow, hidden: boolean, reason: string): Promise<boolean> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    const r = await tx.updateTable("papers").set({ hidden: hidden ? 1 : 0 }).where("id", "=", paper.id).where("hidden", "=", hidden ? 0 : 1).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await logModeration(tx, { moderatorId: moderator.id, action: hidden ? "hide_paper" : "unhide_paper", targetKind: "paper", targetId: paper.id, targetLabel: `arXiv:${paper.arxiv_id} ${paper.title}`, reason }, now);
    return true;
  });
}

/** Bans (every session ends; the user can still read once logged in, not write) or lifts a ban. */
export async function setUserBanned(ctx: AppContext, moderator: Viewer, user: UserRow, banned: boolean, reason: string): Promise<boolean> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable("users")
      .set({ banned_at: banned ? now.toISOString() : null })
      .where("id", "=", user.id)
      .where("banned_at", banned ? "is" : "is not", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    if (banned) await deleteUserSessions(tx, user.id);
    await logModeration(tx, { moderatorId: moderator.id, action: banned ? "ban_user" : "unban_user", targetKind: "user", targetId: user.id, targetLabel: user.username, reason }, now);
    return true;
  });
}
