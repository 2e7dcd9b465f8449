/** The public moderation log: every moderator action, written in the action's transaction. */
import type { Db } from "../db/database.js";

export type ModerationAction = "hide_paper" | "unhide_paper" | "hide_comment" | "unhide_comment" | "ban_user" | "unban_user" | "feature_paper";

export interface LogEntry {
  moderatorId: number;
  action: ModerationAction;
  targetKind: "paper" | "comment" | "user";
  targetId: number;
  targetLabel: string;
  reason: string;
}

export async function logModeration(tx: Db, e: LogEntry, now: Date): Promise<void> {
  await tx
    .insertInto("moderation_log")
    .values({ moderator_id: e.moderatorId, action: e.action, target_kind: e.targetKind, target_id: e.targetId, target_label: e.targetLabel.slice(0, 300), reason: e.reason, created_at: now.toISOString() })
    .execute();
}

export interface LogRow {
  id: number;
  action: string;
  targetKind: string;
  targetId: number;
  targetLabel: string;
  reason: string;
  createdAt: string;
  moderator: string | null;
  /** Where the target lives now (a paper's arXiv id), when it still exists. */
  paperArxivId: string | null;
}

export async function listModerationLog(db: Db, limit: number, offset: number): Promise<LogRow[]> {
  const rows = await db
    .selectFrom("moderation_log as m")
    .leftJoin("users as u", "u.id", "m.moderator_id")
    .leftJoin("comments as c", (j) => j.onRef("c.id", "=", "m.target_id").on("m.target_kind", "=", "comment"))
    .leftJoin("papers as p", (j) =>
      j.on((eb) =>
        eb.or([
          eb.and([eb("m.target_kind", "=", "paper"), eb(eb.ref("p.id"), "=", eb.ref("m.target_id"))]),
          eb.and([eb("m.target_kind", "=", "comment"), eb(eb.ref("p.id"), "=", eb.ref("c.paper_id"))]),
        ]),
      ),
    )
    .select(["m.id", "m.action", "m.target_kind", "m.target_id", "m.target_label", "m.reason", "m.created_at", "u.username", "p.arxiv_id"])
    .orderBy("m.created_at", "desc")
    .orderBy("m.id", "desc")
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    targetKind: r.target_kind,
    targetId: r.target_id,
    targetLabel: r.target_label,
    reason: r.reason,
    createdAt: r.created_at,
    moderator: r.username,
    paperArxivId: r.arxiv_id,
  }));
}
