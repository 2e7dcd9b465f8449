/**
 * Paper storage: the idempotent upsert every source goes through, and the reads the pages
 * need. Functions take `db` first so a caller can pass a transaction.
 */
import { sqliteHandle, type Db } from "../db/database.js";
import type { NewPaperRow, PaperRow } from "../db/schema.js";
import { authorCandidates, insertWithBulkIndexing } from "./papers.fulltext.js";
import { authorKey, authorsOf } from "./papers.present.js";
import type { ImportedPaper } from "./paper.js";
import { preparePapers, type PreparedBatch } from "./papers.prepare.js";

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Daily entries added (papers that were not in the feed yet). */
  featured: number;
}

/** Who put a paper in the daily feed: a bulk import or the arXiv harvest's announcements. */
export type EntrySource = "import" | "harvest";

type Existing = Pick<PaperRow, "id" | "version" | "content_hash">;
type NewDailyEntry = { paper_id: number; day: string; source: string; submitted_by: number | null; submitted_at: string };

/**
 * The three bulk writes of an upsert, per dialect. Both run inside the upsert's transaction;
 * the decisions (insert, update, leave alone) are made once, in `upsertPapers`.
 */
interface BatchWriter {
  existing(tx: Db, arxivIds: string[]): Promise<Map<string, Existing>>;
  /** Inserts the rows; returns arxiv_id -> new id. */
  insert(tx: Db, rows: NewPaperRow[]): Promise<Map<string, number>>;
  /** Adds daily entries, leaving a paper's existing entry in place; returns how many were added. */
  entries(tx: Db, entries: NewDailyEntry[]): Promise<number>;
}

/** Rows per statement on PostgreSQL: 19 columns each stays below its 65,535-parameter limit. */
const PG_CHUNK = 1000;

// PostgreSQL: multi-row statements, one round trip per chunk.
const kyselyWriter: BatchWriter = {
  async existing(tx, arxivIds) {
    const out = new Map<string, Existing>();
    for (let i = 0; i < arxivIds.length; i += PG_CHUNK) {
      const rows = await tx.selectFrom("papers").select(["id", "arxiv_id", "version", "content_hash"])
        .where("arxiv_id", "in", arxivIds.slice(i, i + PG_CHUNK)).execute();
      for (const r of rows) out.set(r.arxiv_id, r);
    }
    return out;
  },
  async insert(tx, rows) {
    const out = new Map<string, number>();
    for (let i = 0; i < rows.length; i += PG_CHUNK) {
      const inserted = await tx.insertInto("papers").values(rows.slice(i, i + PG_CHUNK)).returning(["id", "arxiv_id"]).execute();
      for (const r of inserted) out.set(r.arxiv_id, r.id);
    }
    return out;
  },
  async entries(tx, entries) {
    let added = 0;
    for (let i = 0; i < entries.length; i += PG_CHUNK) {
      const r = await tx.insertInto("daily_entries").values(entries.slice(i, i + PG_CHUNK))
        .onConflict((oc) => oc.column("paper_id").doNothing()).executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  },
};

const PAPER_COLUMNS = [
  "arxiv_id", "version", "title", "abstract", "authors", "authors_text", "categories", "primary_category", "comment",
  "journal_ref", "doi", "github_repo", "project_page", "first_version_at", "latest_version_at", "trending_score",
  "content_hash", "created_at", "updated_at",
] as const satisfies ReadonlyArray<keyof NewPaperRow>;

/**
 * SQLite: better-sqlite3 statements prepared once per connection and run per row. SQLite is
 * in-process, so a row costs a function call; building and compiling a fresh 400-row INSERT
 * through Kysely for every chunk cost more than storing the rows. The statements run on the
 * connection Kysely's transaction holds, so they are part of that transaction.
 */
function sqliteWriter(raw: SQLiteHandle): BatchWriter {
  const cached = sqliteWriters.get(raw);
  if (cached) return cached;
  const select = raw.prepare<[string]>(
    "select p.id, p.arxiv_id, p.version, p.content_hash from json_each(?) j join papers p on p.arxiv_id = j.value");
  const insert = raw.prepare<unknown[]>(
    `insert into papers (${PAPER_COLUMNS.join(", ")}) values (${PAPER_COLUMNS.map(() => "?").join(", ")})`);
  const entry = raw.prepare<[number, string, string, number | null, string]>(
    "insert into daily_entries (paper_id, day, source, submitted_by, submitted_at) values (?, ?, ?, ?, ?) on conflict (paper_id) do nothing");
  const writer: BatchWriter = {
    async existing(_tx, arxivIds) {
      const out = new Map<string, Existing>();
      for (const r of select.all(JSON.stringify(arxivIds)) as Array<Existing & { arxiv_id: string }>) out.set(r.arxiv_id, r);
      return out;
    },
    async insert(_tx, rows) {
      const out = new Map<string, number>();
      const values: unknown[] = new Array(PAPER_COLUMNS.length);
      insertWithBulkIndexing(raw, () => {
        for (const row of rows) {
          for (let c = 0; c < PAPER_COLUMNS.length; c++) values[c] = row[PAPER_COLUMNS[c]] ?? null;
          out.set(row.arxiv_id, Number(insert.run(values).lastInsertRowid));
        }
        return [...out.values()];
      });
      return out;
    },
    async entries(_tx, entries) {
      let added = 0;
      for (const e of entries) added += entry.run(e.paper_id, e.day, e.source, e.submitted_by, e.submitted_at).changes;
      return added;
    },
  };
  sqliteWriters.set(raw, writer);
  return writer;
}

type SQLiteHandle = NonNullable<ReturnType<typeof sqliteHandle>>;
const sqliteWriters = new WeakMap<SQLiteHandle, BatchWriter>();

/**
 * Stores a batch of papers in one transaction. A paper not yet stored is inserted; a stored
 * one is replaced only by a newer version (or the same version with different metadata); an
 * older version changes nothing. Listing days become daily entries (one per paper: the first).
 */
export async function upsertPapers(db: Db, items: ImportedPaper[], now = new Date(), source: EntrySource = "import"): Promise<UpsertCounts> {
  return writePreparedPapers(db, preparePapers(items, now), source);
}

/** The write half of `upsertPapers`, for a batch prepared ahead (see `preparePapers`). */
export async function writePreparedPapers(db: Db, batch: PreparedBatch, source: EntrySource = "import"): Promise<UpsertCounts> {
  if (batch.papers.length === 0) return { inserted: 0, updated: 0, unchanged: 0, featured: 0 };
  const raw = sqliteHandle(db);
  const writer = raw ? sqliteWriter(raw) : kyselyWriter;

  return db.transaction().execute(async (tx) => {
    const existing = await writer.existing(tx, batch.papers.map((p) => p.row.arxiv_id));
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0, featured: 0 };
    const toInsert: NewPaperRow[] = [];
    const paperIds = new Map<string, number>();
    for (const { row, version, approximate } of batch.papers) {
      const old = existing.get(row.arxiv_id);
      if (!old) {
        toInsert.push(row);
        continue;
      }
      paperIds.set(row.arxiv_id, old.id);
      // Same version with other metadata (a corrected title, a DOI added) is an update too,
      // unless the record is approximate and would overwrite exact data with guesses.
      const newer = !approximate &&
        (version > old.version || (version === old.version && row.content_hash !== old.content_hash));
      if (!newer) {
        counts.unchanged++;
        continue;
      }
      // The stored paper keeps its creation time and the trending score its votes gave it.
      const { created_at: _created, arxiv_id: _id, trending_score: _score, ...changes } = row;
      await tx.updateTable("papers").set(changes).where("id", "=", old.id).execute();
      counts.updated++;
    }
    if (toInsert.length > 0) {
      const inserted = await writer.insert(tx, toInsert);
      for (const [arxivId, id] of inserted) paperIds.set(arxivId, id);
      counts.inserted += inserted.size;
    }
    const entries: NewDailyEntry[] = [];
    for (const { row, day } of batch.papers) {
      if (day === null) continue;
      entries.push({ paper_id: paperIds.get(row.arxiv_id)!, day, source, submitted_by: null, submitted_at: batch.at });
    }
    if (entries.length > 0) counts.featured = await writer.entries(tx, entries);
    return counts;
  });
}

export async function countPapers(db: Db): Promise<number> {
  const r = await db.selectFrom("papers").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function findPaperByArxivId(db: Db, arxivId: string): Promise<PaperRow | undefined> {
  return db.selectFrom("papers").selectAll().where("arxiv_id", "=", arxivId).executeTakeFirst();
}

/** Papers by id, in the order of `ids` (a search's ranking), hidden ones left out. */
export async function findPapersByIds(db: Db, ids: number[]): Promise<PaperRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("papers").selectAll().where("id", "in", ids).where("hidden", "=", 0).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is PaperRow => r !== undefined);
}

/** Keyset pagination over every paper, oldest stored first. */
export async function listPapersAfter(db: Db, afterId: number, limit: number): Promise<PaperRow[]> {
  return db.selectFrom("papers").selectAll().where("id", ">", afterId).where("hidden", "=", 0).orderBy("id").limit(limit).execute();
}

/** Most papers an author page considers: a prolific author's whole list, in practice. */
export const AUTHOR_PAPERS_MAX = 2000;

/** Co-authors an author page names: the most frequent, each with at least two joint papers. */
const COAUTHORS_SHOWN = 8;

export interface AuthorPapers {
  papers: PaperRow[];
  total: number;
  /** The name as their newest paper spells it; null when the archive has no paper by them. */
  spelled: string | null;
  /** Who they write with most (two joint papers or more), most joint papers first. */
  coauthors: Array<{ name: string; papers: number }>;
}

/**
 * The papers of the author `name`, newest first: one page of them, how many there are, the
 * name as the newest paper spells it, and their frequent co-authors. Names compare as
 * `authorKey` has them, case, accents, dots and spacing aside: "jose  garcia." finds "José
 * García".
 */
export async function papersByAuthor(db: Db, name: string, limit: number, offset: number): Promise<AuthorPapers> {
  const key = authorKey(name);
  const ids = await authorCandidates(db, name, AUTHOR_PAPERS_MAX);
  const rows = ids.length ? await db.selectFrom("papers").select(["id", "authors"]).where("id", "in", ids).execute() : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  let spelled: string | null = null;
  // Co-authors by their key, spelled as in the newest paper (ids come newest first).
  const joint = new Map<string, { name: string; papers: number }>();
  const theirs = ids.filter((id) => {
    const row = byId.get(id);
    const names = row ? authorsOf(row) : [];
    const match = names.find((a) => authorKey(a) === key);
    if (match === undefined) return false;
    spelled ??= match;
    for (const other of new Set(names.map(authorKey))) {
      if (other === key || other === "") continue;
      const seen = joint.get(other);
      if (seen) seen.papers++;
      else joint.set(other, { name: names.find((a) => authorKey(a) === other)!, papers: 1 });
    }
    return true;
  });
  const coauthors = [...joint.values()].filter((c) => c.papers >= 2)
    .sort((a, b) => b.papers - a.papers || a.name.localeCompare(b.name)).slice(0, COAUTHORS_SHOWN);
  return { papers: await findPapersByIds(db, theirs.slice(offset, offset + limit)), total: theirs.length, spelled, coauthors };
}
