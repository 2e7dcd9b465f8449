/**
 * Keeps `papers.trending_score` equal to the ranking formula (ranking/trending.ts) of the
 * paper's upvotes, comments and featuring time. Votes and comments call `storeTrendingScore`
 * inside their transaction; a new paper stored with its feed day gets its score with its row
 * (papers.prepare.ts), and imports call `refreshTrendingScores` after they add feed entries
 * for papers stored before.
 */
import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { featuredAt, trendingScore } from "../ranking/trending.js";

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

/** Papers read and written per statement by `refreshTrendingScores`. */
const REFRESH_PAGE = 1000;

/**
 * Recomputes the stored score of the given papers, or, without ids, of every featured paper
 * whose score is still 0 (what a bulk import leaves). Idempotent; returns how many changed.
 * Works a page of papers at a time, each page's new scores written by one statement, so an
 * import of a million papers neither holds them all in memory nor sends an UPDATE per paper
 * (on PostgreSQL a round trip each). A run stopped midway leaves only unscored papers, which
 * the next run finds.
 */
export async function refreshTrendingScores(db: Db, paperIds?: number[], opts: { pageSize?: number } = {}): Promise<number> {
  const pageSize = opts.pageSize ?? REFRESH_PAGE;
  const base = db
    .selectFrom("papers as p")
    .innerJoin("daily_entries as e", "e.paper_id", "p.id")
    .select(["p.id", "p.upvotes", "p.num_comments", "p.first_version_at", "p.trending_score", "e.day"]);
  let changed = 0;
  if (paperIds) {
    const ids = [...new Set(paperIds)];
    for (let i = 0; i < ids.length; i += pageSize) {
      changed += await storeScores(db, await base.where("p.id", "in", ids.slice(i, i + pageSize)).execute());
    }
    return changed;
  }
  // Keyset pages over the (trending_score, id) index: the papers still at 0, in id order.
  for (let after = 0; ; ) {
    const rows = await base.where("p.trending_score", "=", 0).where("p.id", ">", after).orderBy("p.id").limit(pageSize).execute();
    if (rows.length === 0) return changed;
    changed += await storeScores(db, rows);
    after = rows[rows.length - 1].id;
  }
}

type ScoreInputs = { id: number; upvotes: number; num_comments: number; first_version_at: string; trending_score: number; day: string };

/** Writes the papers' scores that differ from the stored ones, in one statement; returns how many. */
async function storeScores(db: Db, rows: ScoreInputs[]): Promise<number> {
  const updates = [];
  for (const r of rows) {
    const score = trendingScore(r.upvotes, r.num_comments, featuredAt(r.day, r.first_version_at));
    // The casts: PostgreSQL would otherwise type the parameters as text. Double precision, the
    // column's type there (SQLite reads it as REAL, also 8 bytes).
    if (score !== r.trending_score) updates.push(sql`(cast(${r.id} as integer), cast(${score} as double precision))`);
  }
  if (updates.length === 0) return 0;
  await sql`with v(id, score) as (values ${sql.join(updates)})
    update papers set trending_score = v.score from v where papers.id = v.id`.execute(db);
  return updates.length;
}
