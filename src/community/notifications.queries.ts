/** The in-app notification list. */
import type { Db } from "../db/database.js";

export interface NotificationItem {
  id: number;
  kind: string;
  actor: string | null;
  paper: { arxivId: string; title: string } | null;
  commentId: number | null;
  createdAt: string;
  read: boolean;
}

export async function listNotifications(db: Db, userId: number, limit = 100): Promise<NotificationItem[]> {
  const rows = await db
    .selectFrom("notifications as n")
    .leftJoin("users as a", "a.id", "n.actor_id")
    .leftJoin("papers as p", "p.id", "n.paper_id")
    .select(["n.id", "n.kind", "n.comment_id", "n.created_at", "n.read_at", "a.username", "p.arxiv_id", "p.title"])
    .where("n.user_id", "=", userId)
    .orderBy("n.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    actor: r.username,
    paper: r.arxiv_id && r.title ? { arxivId: r.arxiv_id, title: r.title } : null,
    commentId: r.comment_id,
    createdAt: r.created_at,
    read: r.read_at !== null,
  }));
}

export async function markAllRead(db: Db, userId: number, now: Date): Promise<number> {
  const r = await db.updateTable("notifications").set({ read_at: now.toISOString() }).where("user_id", "=", userId).where("read_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
