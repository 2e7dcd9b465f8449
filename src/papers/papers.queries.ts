/**
 * Paper storage: the idempotent upsert every source goes through, and the reads the pages
 * need. Functions take `db` first so a caller can pass a transaction.
 */
import { createHash } from "node:crypto";
import { sqliteHandle, type Db } from "../db/database.js";
import type { NewPaperRow, PaperRow } from "../db/schema.js";
import { insertWithBulkIndexing } from "./papers.fulltext.js";
import { extractLinks, type ExtractedLinks } from "./links.js";
import type { ImportedPaper, PaperRecord } from "./paper.js";

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

function contentHash(p: PaperRecord): string {
  return createHash("sha1")
    .update(JSON.stringify([p.version, p.title, p.abstract, p.authors, p.categories, p.comment, p.journalRef, p.doi,
      p.firstVersionAt.toISOString(), p.latestVersionAt.toISOString()]))
    .digest("base64url");
}

const NO_LINKS: ExtractedLinks = { githubRepo: null, projectPage: null };
// Every link extractLinks can find starts with "http", "www." or "github.com" in the raw text
// (its TeX clean-up only removes markup around them). Most abstracts have none, and skipping
// the full scan for them is a large part of a bulk import's CPU time.
const MAY_HAVE_LINK = /http|www\.|github\.com/i;

function linksOf(p: PaperRecord): ExtractedLinks {
  if (!MAY_HAVE_LINK.test(p.abstract) && !(p.comment && MAY_HAVE_LINK.test(p.comment))) return NO_LINKS;
  return extractLinks(p.abstract, p.comment);
}

function toRow(p: PaperRecord, now: string): NewPaperRow {
  const links = linksOf(p);
  return {
    arxiv_id: p.arxivId,
    version: p.version,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.stringify(p.authors),
    authors_text: p.authors.join(", "),
    categories: p.categories.join(" "),
    primary_category: p.categories[0] ?? "",
    comment: p.comment,
    journal_ref: p.journalRef,
    doi: p.doi,
    github_repo: links.githubRepo,
    project_page: links.projectPage,
    first_version_at: p.firstVersionAt.toISOString(),
    latest_version_at: p.latestVersionAt.toISOString(),
    content_hash: contentHash(p),
    created_at: now,
    updated_at: now,
  };
}

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
  /** Adds daily entries, leaving a paper's existing entry in place. */
  entries(tx: Db, entries: NewDailyEntry[]): Promise<void>;
}

/** Rows per statement on PostgreSQL: 18 columns each stays below its 65,535-parameter limit. */
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
    for (let i = 0; i < entries.length; i += PG_CHUNK) {
      await tx.insertInto("daily_entries").values(entries.slice(i, i + PG_CHUNK))
        .onConflict((oc) => oc.column("paper_id").doNothing()).execute();
    }
  },
};

const PAPER_COLUMNS = [
  "arxiv_id", "version", "title", "abstract", "authors", "authors_text", "categories", "primary_category", "comment",
  "journal_ref", "doi", "github_repo", "project_page", "first_version_at", "latest_version_at", "content_hash",
  "created_at", "updated_at",
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
    "select id, arxiv_id, version, content_hash from papers where arxiv_id in (select value from json_each(?))");
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
      for (const e of entries) entry.run(e.paper_id, e.day, e.source, e.submitted_by, e.submitted_at);
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
export async function upsertPapers(db: Db, items: ImportedPaper[], now = new Date()): Promise<UpsertCounts> {
  const nowIso = now.toISOString();
  // Within a batch the newest version of an id wins, so the batch itself is idempotent.
  const byId = new Map<string, ImportedPaper>();
  for (const item of items) {
    const prev = byId.get(item.paper.arxivId);
    if (!prev || item.paper.version >= prev.paper.version) {
      const days = prev ? [...prev.listingDates, ...item.listingDates] : item.listingDates;
      byId.set(item.paper.arxivId, { paper: item.paper, listingDates: days });
    }
  }
  const batch = [...byId.values()];
  if (batch.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  // Rows are built before the transaction: the CPU work then does not hold the write lock.
  const rows = batch.map((b) => toRow(b.paper, nowIso));
  const raw = sqliteHandle(db);
  const writer = raw ? sqliteWriter(raw) : kyselyWriter;

  return db.transaction().execute(async (tx) => {
    const existing = await writer.existing(tx, rows.map((r) => r.arxiv_id));
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
    const toInsert: NewPaperRow[] = [];
    const paperIds = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const { paper } = batch[i];
      const row = rows[i];
      const old = existing.get(paper.arxivId);
      if (!old) {
        toInsert.push(row);
        continue;
      }
      paperIds.set(paper.arxivId, old.id);
      // Same version with other metadata (a corrected title, a DOI added) is an update too,
      // unless the record is approximate and would overwrite exact data with guesses.
      const newer = !paper.approximate &&
        (paper.version > old.version || (paper.version === old.version && row.content_hash !== old.content_hash));
      if (!newer) {
        counts.unchanged++;
        continue;
      }
      const { created_at: _created, arxiv_id: _id, ...changes } = row;
      await tx.updateTable("papers").set(changes).where("id", "=", old.id).execute();
      counts.updated++;
    }
    if (toInsert.length > 0) {
      const inserted = await writer.insert(tx, toInsert);
      for (const [arxivId, id] of inserted) paperIds.set(arxivId, id);
      counts.inserted += inserted.size;
    }
    const entries: NewDailyEntry[] = [];
    for (const b of batch) {
      if (b.listingDates.length === 0) continue;
      entries.push({
        paper_id: paperIds.get(b.paper.arxivId)!,
        day: b.listingDates.length === 1 ? b.listingDates[0] : [...b.listingDates].sort()[0],
        source: "import",
        submitted_by: null,
        submitted_at: nowIso,
      });
    }
    if (entries.length > 0) await writer.entries(tx, entries);
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
