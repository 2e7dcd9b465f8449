/**
 * Upvotes. The count and the trending score live on the paper and change in the same
 * transaction as the vote. The count moves by +1/-1 only when the vote row was really
 * inserted or deleted (the primary key on user+paper decides), and `upvotes = upvotes + 1`
 * re-reads the row under its lock on PostgreSQL, so concurrent voters never lose an update.
 */
import type { Db } from "../db/database.js";
import { storeTrendingScore } from "./trending.queries.js";

export interface VoteResult {
  upvoted: boolean;
  upvotes: number;
  trendingScore: number;
}

/** Sets a user's vote on a paper to `want` (true: upvoted); toggles when `want` is "toggle". */
export async function setVote(db: Db, userId: number, paperId: number, want: boolean | "toggle", now: Date): Promise<VoteResult> {
  return db.transaction().execute(async (tx) => {
    let target = want;
    if (target === "toggle") {
      const existing = await tx.selectFrom("votes").select("user_id").where("user_id", "=", userId).where("paper_id", "=", paperId).executeTakeFirst();
      target = !existing;
    }
    let delta = 0;
    if (target) {
      const ins = await tx
        .insertInto("votes")
        .values({ user_id: userId, paper_id: paperId, created_at: now.toISOString() })
        .onConflict((oc) => oc.columns(["user_id", "paper_id"]).doNothing())
        .returning("paper_id")
        .executeTakeFirst();
      if (ins) delta = 1;
    } else {
      const del = await tx.deleteFrom("votes").where("user_id", "=", userId).where("paper_id", "=", paperId).returning("paper_id").executeTakeFirst();
      if (del) delta = -1;
    }
    if (delta !== 0) {
      await tx.updateTable("papers").set((eb) => ({ upvotes: eb("upvotes", "+", delta) })).where("id", "=", paperId).execute();
    }
    const trendingScore = await storeTrendingScore(tx, paperId);
    const { upvotes } = await tx.selectFrom("papers").select("upvotes").where("id", "=", paperId).executeTakeFirstOrThrow();
    return { upvoted: target, upvotes, trendingScore };
  });
}

/** Which of these papers the user has upvoted (for pressed buttons on a page of cards). */
export async function votedPaperIds(db: Db, userId: number, paperIds: number[]): Promise<Set<number>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db.selectFrom("votes").select("paper_id").where("user_id", "=", userId).where("paper_id", "in", paperIds).execute();
  return new Set(rows.map((r) => r.paper_id));
}
