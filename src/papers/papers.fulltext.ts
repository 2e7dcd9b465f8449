/**
 * Full-text search of title, authors and abstract, kept in sync by the database itself so no
 * write path can forget it: on SQLite an FTS5 external-content table maintained by triggers,
 * on PostgreSQL a stored generated tsvector column with a GIN index. This module is the only
 * place that knows either exists.
 *
 * Both match words as written, case and accents aside, with no stemming: the index's reader
 * on the site is the author lookup (author pages, a search that names an author), which needs
 * names matched word for word, and the ranked keyword search has its own stemmed index
 * (search/). A stemmer here only conflated names ("Williams" with "William"), and on SQLite
 * it was a sixth of a bulk import's writing time. SQLite folds accents in its tokenizer;
 * PostgreSQL through the unaccent extension, on the stored text and on every query alike.
 */
import { sql, type Kysely } from "kysely";
import { dialectOf, type sqliteHandle } from "../db/database.js";

type SqliteHandle = NonNullable<ReturnType<typeof sqliteHandle>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function createFullTextIndex(db: AnyDb): Promise<void> {
  if (dialectOf(db) === "postgres") await createPostgresVector(db);
  else await createSqliteIndex(db);
}

/**
 * PostgreSQL's stored search vector, its GIN index and `papers_fold`, the accent folding that
 * vectors and queries share. unaccent is a trusted extension (PostgreSQL 13 on): a database's
 * owner may add it. Its function is only STABLE (its dictionary could change), which a
 * generated column refuses, so the wrapper names the dictionary, schema-qualified so a
 * restore with another search_path still finds it, and declares itself IMMUTABLE.
 */
async function createPostgresVector(db: AnyDb): Promise<void> {
  try {
    await sql`create extension if not exists unaccent`.execute(db);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`full-text search needs PostgreSQL's unaccent extension, which this database user may not add (${why}): ` +
      "run `create extension unaccent;` in this database as its owner or a superuser, then start again");
  }
  const found = await sql<{ schema: string }>`select extnamespace::regnamespace::text as schema
    from pg_extension where extname = 'unaccent'`.execute(db);
  const schema = found.rows[0]?.schema;
  if (!schema) throw new Error("the unaccent extension is missing after create extension");
  const unaccent = `${schema}.unaccent`;
  await sql`create or replace function papers_fold(text) returns text
    language sql immutable strict parallel safe
    as ${sql.lit(`select ${unaccent}('${unaccent}'::regdictionary, $1)`)}`.execute(db);
  // Weights: title A, authors B, abstract C, so ts_rank favours title matches.
  await sql`alter table papers add column search_vector tsvector generated always as (
    setweight(to_tsvector('simple', papers_fold(coalesce(title, ''))), 'A') ||
    setweight(to_tsvector('simple', papers_fold(coalesce(authors_text, ''))), 'B') ||
    setweight(to_tsvector('simple', papers_fold(coalesce(abstract, ''))), 'C')
  ) stored`.execute(db);
  await sql`create index papers_search_vector on papers using gin (search_vector)`.execute(db);
}

/** SQLite's FTS5 table and the triggers that keep it in step with `papers`. */
async function createSqliteIndex(db: AnyDb): Promise<void> {
  await sql`create virtual table papers_fts using fts5(
    title, authors_text, abstract,
    content='papers', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`create trigger papers_fts_insert after insert on papers begin
    insert into papers_fts(rowid, title, authors_text, abstract) values (new.id, new.title, new.authors_text, new.abstract);
  end`.execute(db);
  await sql`create trigger papers_fts_delete after delete on papers begin
    insert into papers_fts(papers_fts, rowid, title, authors_text, abstract) values ('delete', old.id, old.title, old.authors_text, old.abstract);
  end`.execute(db);
  // Only a change of an indexed column touches the index: votes and comment counts update
  // papers constantly and must not rewrite FTS rows.
  await sql`create trigger papers_fts_update after update of title, authors_text, abstract on papers begin
    insert into papers_fts(papers_fts, rowid, title, authors_text, abstract) values ('delete', old.id, old.title, old.authors_text, old.abstract);
    insert into papers_fts(rowid, title, authors_text, abstract) values (new.id, new.title, new.authors_text, new.abstract);
  end`.execute(db);
}

/**
 * Builds the index again as `createFullTextIndex` now makes it, over every stored paper: for a
 * change of how it splits or folds words. SQLite: the FTS5 table and its triggers are created
 * again, with the write settings, and FTS5's `rebuild` reads every paper from `papers`.
 * PostgreSQL: the generated column is dropped (its index with it) and added again, which
 * computes every paper's vector.
 */
export async function recreateFullTextIndex(db: AnyDb): Promise<void> {
  if (dialectOf(db) === "postgres") {
    await sql`alter table papers drop column if exists search_vector`.execute(db);
    await createPostgresVector(db);
    return;
  }
  for (const t of ["papers_fts_insert", "papers_fts_delete", "papers_fts_update"]) {
    await sql`drop trigger if exists ${sql.raw(t)}`.execute(db);
  }
  await sql`drop table if exists papers_fts`.execute(db);
  await createSqliteIndex(db);
  await tuneFullTextIndex(db);
  await sql`insert into papers_fts(papers_fts) values ('rebuild')`.execute(db);
}

/**
 * FTS5's write settings, tuned for batches of thousands of papers (an import, a harvest):
 * - `hashsize` 16 MB (default 1 MB) of pending terms before a flush, so a batch of 2,000
 *   abstracts becomes one new segment instead of a dozen;
 * - no incremental merging (`automerge` 0, default 4) and a merge only when a level holds 64
 *   segments (`crisismerge`, default 16): a bulk load then writes each term's postings once
 *   instead of merging them again every few batches. A lookup visits more segments (a few
 *   dozen at most per level), which the plain full-text searches this index serves do not
 *   notice; the product's ranked search has its own index.
 * Together they take about a quarter off an import's time. Stored in the index's own config
 * table, so every connection uses them. PostgreSQL: nothing to tune.
 */
export async function tuneFullTextIndex(db: AnyDb): Promise<void> {
  if (dialectOf(db) === "postgres") return;
  await sql`insert into papers_fts(papers_fts, rank) values ('hashsize', ${sql.lit(16 << 20)})`.execute(db);
  await sql`insert into papers_fts(papers_fts, rank) values ('automerge', 0)`.execute(db);
  await sql`insert into papers_fts(papers_fts, rank) values ('crisismerge', 64)`.execute(db);
}

/**
 * SQLite bulk loads: runs `insertRows` (inserts into papers on `raw`, returning the new ids)
 * with the insert trigger suspended, then indexes those rows with one statement. FTS5 flushes
 * its pending terms to disk at every statement savepoint, so the trigger, firing once per
 * INSERT statement, writes one tiny segment per row and then merges them: indexing a batch
 * at once is about twice as fast. Must run inside the caller's transaction: the trigger drop
 * and re-creation commit or roll back with the rows, so no other connection ever sees papers
 * without their index entries, and a run killed midway leaves the trigger in place.
 */
export function insertWithBulkIndexing(raw: SqliteHandle, insertRows: () => number[]): void {
  if (!raw.inTransaction) throw new Error("bulk full-text indexing must run inside a transaction");
  // The definition is read back rather than repeated, so this can never restore a stale one.
  const trigger = raw.prepare("select sql from sqlite_master where type = 'trigger' and name = 'papers_fts_insert'")
    .pluck().get() as string | undefined;
  if (trigger === undefined) throw new Error("the papers_fts_insert trigger is missing: run the migrations");
  raw.exec("drop trigger papers_fts_insert");
  const ids = insertRows();
  if (ids.length > 0) {
    raw.prepare(`insert into papers_fts(rowid, title, authors_text, abstract)
      select id, title, authors_text, abstract from papers where id in (select value from json_each(?))`).run(JSON.stringify(ids));
  }
  raw.exec(trigger);
}

/** Turns free text into a safe full-text query: words only, no operators, ANDed. */
export function toFullTextTerms(text: string): string[] {
  return (text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 32);
}

/**
 * Ids of papers matching every word of `text`, best first: a plain keyword search that needs
 * nothing but the database. The site's ranked hybrid search lives in search/.
 */
export async function fullTextSearch(db: AnyDb, text: string, limit: number): Promise<number[]> {
  const terms = toFullTextTerms(text);
  if (terms.length === 0) return [];
  if (dialectOf(db) === "postgres") {
    const q = terms.join(" ");
    const rows = await sql<{ id: number }>`select id from papers
      where search_vector @@ plainto_tsquery('simple', papers_fold(${q})) and hidden = 0
      order by ts_rank(search_vector, plainto_tsquery('simple', papers_fold(${q}))) desc, id desc
      limit ${limit}`.execute(db);
    return rows.rows.map((r) => r.id);
  }
  // Each term quoted: FTS5 then treats it as a string, never as an operator (NEAR, AND, -, *).
  const match = terms.map((t) => `"${t}"`).join(" ");
  const rows = await sql<{ id: number }>`select p.id as id from papers_fts f join papers p on p.id = f.rowid
    where papers_fts match ${match} and p.hidden = 0
    order by bm25(papers_fts, 4.0, 2.0, 1.0), p.id desc
    limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * Ids of papers whose author list holds the words of `name` in a row, newest first, at most
 * `limit`: candidates for an author's papers, which the caller narrows to the exact name (the
 * words may span two authors, "Smith, John" in "Ann Smith, John Doe"). Only the authors column
 * is searched: on SQLite FTS5's column filter, on PostgreSQL the tsvector's weight B.
 */
export async function authorCandidates(db: AnyDb, name: string, limit: number): Promise<number[]> {
  const terms = toFullTextTerms(name);
  if (terms.length === 0) return [];
  if (dialectOf(db) === "postgres") {
    const q = terms.map((t) => `${t}:B`).join(" <-> ");
    const rows = await sql<{ id: number }>`select id from papers
      where search_vector @@ to_tsquery('simple', papers_fold(${q})) and hidden = 0
      order by first_version_at desc, id desc limit ${limit}`.execute(db);
    return rows.rows.map((r) => r.id);
  }
  // One phrase, its words quoted as strings (never operators), in the authors column only.
  const match = `authors_text : "${terms.join(" ")}"`;
  const rows = await sql<{ id: number }>`select p.id as id from papers_fts f join papers p on p.id = f.rowid
    where papers_fts match ${match} and p.hidden = 0
    order by p.first_version_at desc, p.id desc limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}
