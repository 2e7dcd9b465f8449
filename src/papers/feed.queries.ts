/**
 * Reads of the daily feed: the entries of a day, week or month joined with their papers and
 * submitters, the latest day that has entries, and the neighbouring non-empty days.
 */
import type { Db } from "../db/database.js";
import type { PaperRow } from "../db/schema.js";

export interface FeedEntry {
  day: string;
  submittedAt: string;
  source: string;
  submitter: { username: string; displayName: string } | null;
}

export interface FeedItem {
  paper: PaperRow;
  entry: FeedEntry;
}

export type FeedSort = "upvotes" | "publishedAt" | "trending";

export interface FeedQuery {
  from: string;
  to: string;
  sort: FeedSort;
  limit: number;
  offset: number;
  submitter?: string;
}

function base(db: Db) {
  return db
    .selectFrom("daily_entries as e")
    .innerJoin("papers as p", "p.id", "e.paper_id")
    .leftJoin("users as u", "u.id", "e.submitted_by")
    .where("p.hidden", "=", 0);
}

export async function listFeed(db: Db, q: FeedQuery): Promise<FeedItem[]> {
  // Two steps: rank narrow rows (a month holds thousands of entries, and sorting whole rows
  // with their abstracts is what costs), then fetch the page's papers by primary key.
  let query = base(db)
    .select(["p.id as id", "e.day as e_day", "e.submitted_at as e_submitted_at", "e.source as e_source", "u.username as u_username", "u.display_name as u_display_name"])
    .where("e.day", ">=", q.from)
    .where("e.day", "<=", q.to);
  if (q.submitter !== undefined) query = query.where("u.username", "=", q.submitter);
  if (q.sort === "trending") query = query.orderBy("p.trending_score", "desc").orderBy("e.day", "desc");
  else if (q.sort === "publishedAt") query = query.orderBy("p.first_version_at", "desc");
  else query = query.orderBy("p.upvotes", "desc").orderBy("p.num_comments", "desc");
  const ranked = await query.orderBy("p.arxiv_id", "desc").limit(q.limit).offset(q.offset).execute();
  if (ranked.length === 0) return [];
  const papers = await db.selectFrom("papers").selectAll().where("id", "in", ranked.map((r) => r.id)).execute();
  const byId = new Map(papers.map((p) => [p.id, p]));
  return ranked.map((r) => ({
    paper: byId.get(r.id)!,
    entry: {
      day: r.e_day,
      submittedAt: r.e_submitted_at,
      source: r.e_source,
      submitter: r.u_username ? { username: r.u_username, displayName: r.u_display_name ?? r.u_username } : null,
    },
  }));
}

export async function countFeed(db: Db, from: string, to: string): Promise<number> {
  const r = await base(db)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("e.day", ">=", from)
    .where("e.day", "<=", to)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Days that have a visible entry, walked along the day index. Written with EXISTS rather than
 * a join so both planners start from the index on day instead of scanning every paper.
 */
function visibleDays(db: Db) {
  return db
    .selectFrom("daily_entries as e")
    .select("e.day")
    .where(({ exists, selectFrom }) => exists(selectFrom("papers as p").select("p.id").whereRef("p.id", "=", "e.paper_id").where("p.hidden", "=", 0)));
}

export async function latestFeedDay(db: Db): Promise<string | null> {
  const r = await visibleDays(db).orderBy("e.day", "desc").limit(1).executeTakeFirst();
  return r?.day ?? null;
}

/** The nearest days before and after `day` that have entries (empty days are skipped). */
export async function adjacentFeedDays(db: Db, from: string, to: string = from): Promise<{ prev: string | null; next: string | null }> {
  const [prev, next] = await Promise.all([
    visibleDays(db).where("e.day", "<", from).orderBy("e.day", "desc").limit(1).executeTakeFirst(),
    visibleDays(db).where("e.day", ">", to).orderBy("e.day", "asc").limit(1).executeTakeFirst(),
  ]);
  return { prev: prev?.day ?? null, next: next?.day ?? null };
}

/** The entry of one paper, if it was ever featured. */
export async function findFeedEntry(db: Db, paperId: number): Promise<FeedEntry | null> {
  return (await findFeedEntries(db, [paperId])).get(paperId) ?? null;
}

/** The entries of several papers (a page of a list) in one query, by paper id; unfeatured ones absent. */
export async function findFeedEntries(db: Db, paperIds: readonly number[]): Promise<Map<number, FeedEntry>> {
  const out = new Map<number, FeedEntry>();
  if (paperIds.length === 0) return out;
  const rows = await db
    .selectFrom("daily_entries as e")
    .leftJoin("users as u", "u.id", "e.submitted_by")
    .select(["e.paper_id", "e.day", "e.submitted_at", "e.source", "u.username", "u.display_name"])
    .where("e.paper_id", "in", [...paperIds])
    .execute();
  for (const r of rows) {
    out.set(r.paper_id, {
      day: r.day,
      submittedAt: r.submitted_at,
      source: r.source,
      submitter: r.username ? { username: r.username, displayName: r.display_name ?? r.username } : null,
    });
  }
  return out;
}
