/**
 * Paper storage: the idempotent upsert every source goes through, and the reads the pages
 * need. Functions take `db` first so a caller can pass a transaction.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/database.js";
import type { NewPaperRow, PaperRow } from "../db/schema.js";
import { extractLinks } from "./links.js";
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

function toRow(p: PaperRecord, now: string): NewPaperRow {
  const links = extractLinks(p.abstract, p.comment);
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

/** Rows per INSERT statement: 23 columns each stays far below SQLite's parameter limit. */
const INSERT_CHUNK = 400;

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

  return db.transaction().execute(async (tx) => {
    const existing = new Map<string, Pick<PaperRow, "id" | "version" | "content_hash">>();
    for (let i = 0; i < batch.length; i += INSERT_CHUNK) {
      const ids = batch.slice(i, i + INSERT_CHUNK).map((b) => b.paper.arxivId);
      const rows = await tx.selectFrom("papers").select(["id", "arxiv_id", "version", "content_hash"]).where("arxiv_id", "in", ids).execute();
      for (const r of rows) existing.set(r.arxiv_id, r);
    }
    const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
    const toInsert: NewPaperRow[] = [];
    const paperIds = new Map<string, number>();
    for (const { paper } of batch) {
      const row = toRow(paper, nowIso);
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
    for (let i = 0; i < toInsert.length; i += INSERT_CHUNK) {
      const inserted = await tx.insertInto("papers").values(toInsert.slice(i, i + INSERT_CHUNK)).returning(["id", "arxiv_id"]).execute();
      for (const r of inserted) paperIds.set(r.arxiv_id, r.id);
      counts.inserted += inserted.length;
    }
    const entries = batch
      .filter((b) => b.listingDates.length > 0)
      .map((b) => ({
        paper_id: paperIds.get(b.paper.arxivId)!,
        day: [...b.listingDates].sort()[0],
        source: "import",
        submitted_by: null,
        submitted_at: nowIso,
      }));
    for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
      await tx.insertInto("daily_entries").values(entries.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.column("paper_id").doNothing()).execute();
    }
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
