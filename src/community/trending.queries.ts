/**
 * Keeps `papers.trending_score` equal to the ranking formula (ranking/trending.ts) of the
 * paper's upvotes, comments and featuring time. Votes and comments call `storeTrendingScore`
 * inside their transaction; imports call `refreshTrendingScores` after they add feed entries.
 */
import type { Db } from "../db/database.js";
import { trendingScore } from "../ranking/trending.js";

/** When a paper entered the feed: its feed day at 00:00 UTC; a paper never featured counts from its first version. */
export function featuredAt(day: string | null, firstVersionAt: string): Date {
  return day ? new Date(`${day}T00:00:00.000Z`) : new Date(firstVersionAt);
}

/** Recomputes and stores one paper's score from its stored counts; returns it. Call inside the writing transaction. */
export async function storeTrendingScore(tx: Db, paperId: number): Promise<number> {
  const r = await tx
    .selectFrom("papers as p")
    .leftJoin("daily_entries as e", "e.paper_id", "p.id")
    .select(["p.upvotes", "p.num_comments", "p.first_version_at", "e.day"])
    .where("p.id", "=", paperId)
    .executeTakeFirstOrThrow();
  const score = trendingScore(r.upvotes, r.num_comments, featuredAt(r.day, r.first_version_at));
  await tx.updateTable("papers").set({ trending_score: score }).where("id", "=", paperId).execute();
  return score;
}

/**
 * Recomputes the stored score of the given papers, or, without ids, of every featured paper
 * whose score is still 0 (what a bulk import leaves). Idempotent; returns how many changed.
 */
export async function refreshTrendingScores(db: Db, paperIds?: number[]): Promise<number> {
  let q = db
    .selectFrom("papers as p")
    .innerJoin("daily_entries as e", "e.paper_id", "p.id")
    .select(["p.id", "p.upvotes", "p.num_comments", "p.first_version_at", "p.trending_score", "e.day"]);
  if (paperIds) {
    if (paperIds.length === 0) return 0;
    q = q.where("p.id", "in", paperIds);
  } else {
    q = q.where("p.trending_score", "=", 0);
  }
  const rows = await q.execute();
  let changed = 0;
  await db.transaction().execute(async (tx) => {
    for (const r of rows) {
      const score = trendingScore(r.upvotes, r.num_comments, featuredAt(r.day, r.first_version_at));
      if (score === r.trending_score) continue;
      await tx.updateTable("papers").set({ trending_score: score }).where("id", "=", r.id).execute();
      changed++;
    }
  });
  return changed;
}

