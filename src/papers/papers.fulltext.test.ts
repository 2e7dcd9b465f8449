import { it, test } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import pg from "pg";
import { createTestDatabase, eachDatabase } from "../../test/databases.js";
import { openDatabase } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import { up as unstemIndex } from "../db/migrations/0012_fulltext_words.js";
import { authorCandidates, fullTextSearch } from "./papers.fulltext.js";
import { findPaperByArxivId, upsertPapers } from "./papers.queries.js";
import type { ImportedPaper } from "./paper.js";

function paper(n: number, title: string, authors = [`Author ${n}`]): ImportedPaper {
  const at = new Date("2025-06-02T10:00:00.000Z");
  return {
    paper: {
      arxivId: `2506.${String(30000 + n)}`, version: 1, title, abstract: `Abstract number ${n}, on a topic of its own.`,
      authors, categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: at, latestVersionAt: at,
    },
    listingDates: [],
  };
}

eachDatabase("full-text index", (t) => {
  it("stays exact through many small writes (past SQLite's merge threshold) and bulk batches", async () => {
    const { db, dialect } = t();
    // 80 single-paper transactions: 80 index segments on SQLite, more than the 64 that
    // trigger a merge; then a batch of 500 in one.
    for (let n = 0; n < 80; n++) await upsertPapers(db, [paper(n, n % 10 === 0 ? `Quokka behaviour ${n}` : `Graph learning ${n}`)]);
    await upsertPapers(db, Array.from({ length: 500 }, (_, k) => paper(100 + k, k === 250 ? "Quokka migration" : `Sparse models ${k}`)));
    const quokkas = await fullTextSearch(db, "quokka", 50);
    assert.equal(quokkas.length, 9);
    const migration = await findPaperByArxivId(db, "2506.30350");
    assert.deepEqual(await fullTextSearch(db, "quokka migration", 50), [migration!.id]);
    // An update moves the paper in the index.
    await db.updateTable("papers").set({ title: "Wombat migration" }).where("id", "=", migration!.id).execute();
    assert.deepEqual(await fullTextSearch(db, "wombat", 50), [migration!.id]);
    assert.equal((await fullTextSearch(db, "quokka", 50)).length, 8);
    if (dialect === "sqlite") {
      // FTS5's own check: the index matches the table exactly.
      await sql`insert into papers_fts(papers_fts, rank) values ('integrity-check', 1)`.execute(db);
    }
  });

  it("matches words as written, so an author lookup never takes one name for another", async () => {
    const { db } = t();
    await upsertPapers(db, [paper(700, "Gates and circuits", ["Ann Williams"]), paper(701, "A gate", ["Ann William"])]);
    const williams = await findPaperByArxivId(db, "2506.30700");
    const william = await findPaperByArxivId(db, "2506.30701");
    assert.deepEqual(await authorCandidates(db, "Ann Williams", 10), [williams!.id]);
    assert.deepEqual(await authorCandidates(db, "ann william", 10), [william!.id]);
  });

  it("folds accents on both databases, in the stored text and in queries", async () => {
    const { db } = t();
    await upsertPapers(db, [paper(750, "Résumé parsing with Œuvre-level cues", ["José García", "Zoë Ångström"])]);
    const id = (await findPaperByArxivId(db, "2506.30750"))!.id;
    assert.deepEqual(await fullTextSearch(db, "resume parsing", 10), [id]);
    assert.deepEqual(await fullTextSearch(db, "RÉSUMÉ", 10), [id]);
    assert.deepEqual(await authorCandidates(db, "Jose Garcia", 10), [id]);
    assert.deepEqual(await authorCandidates(db, "zoe angstrom", 10), [id]);
    assert.deepEqual(await authorCandidates(db, "José García", 10), [id]);
  });

  it("is rebuilt from the stored papers when the way it reads words changes (migration 0012)", async () => {
    const { db, dialect } = t();
    await upsertPapers(db, [paper(800, "Transformers for otters")]);
    const otters = await findPaperByArxivId(db, "2506.30800");
    // The index as databases made before the migration have it: stemmed.
    if (dialect === "sqlite") {
      for (const tr of ["papers_fts_insert", "papers_fts_delete", "papers_fts_update"]) await sql`drop trigger ${sql.raw(tr)}`.execute(db);
      await sql`drop table papers_fts`.execute(db);
      await sql`create virtual table papers_fts using fts5(title, authors_text, abstract,
        content='papers', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
      await sql`insert into papers_fts(papers_fts) values ('rebuild')`.execute(db);
      assert.deepEqual(await fullTextSearch(db, "transformer otter", 10), [otters!.id], "stemmed before");
    } else {
      await sql`alter table papers drop column search_vector`.execute(db);
      await sql`alter table papers add column search_vector tsvector generated always as (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(authors_text, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(abstract, '')), 'C')) stored`.execute(db);
      const stemmed = await sql`select id from papers where search_vector @@ plainto_tsquery('english', 'transformer otter')`.execute(db);
      assert.equal(stemmed.rows.length, 1, "stemmed before");
    }
    await unstemIndex(db);
    assert.deepEqual(await fullTextSearch(db, "transformers otters", 10), [otters!.id]);
    assert.deepEqual(await fullTextSearch(db, "transformer otter", 10), []);
    // Written to at once after the rebuild: a new paper is found, every earlier one still is.
    await upsertPapers(db, [paper(801, "Otters again")]);
    assert.equal((await fullTextSearch(db, "otters", 10)).length, 2);
    assert.equal((await fullTextSearch(db, "resume", 10)).length, 1);
    if (dialect === "sqlite") {
      await sql`insert into papers_fts(papers_fts, rank) values ('integrity-check', 1)`.execute(db);
      const settings = await sql<{ k: string; v: number }>`select k, v from papers_fts_config where k in ('automerge', 'crisismerge')`.execute(db);
      assert.deepEqual(Object.fromEntries(settings.rows.map((r) => [r.k, Number(r.v)])), { automerge: 0, crisismerge: 64 });
    } else {
      const index = await sql`select 1 from pg_indexes where indexname = 'papers_search_vector'`.execute(db);
      assert.equal(index.rows.length, 1, "the GIN index is back");
    }
  });
});

const admin = process.env.TEST_POSTGRES_URL;
if (admin) {
  test("PostgreSQL: a database user who may not add the unaccent extension is told how, and starts once it is there", async () => {
    const { target, drop } = await createTestDatabase("postgres", admin);
    if (target.kind !== "postgres") throw new Error("a PostgreSQL database was asked for");
    const role = `limited_${process.pid}`;
    const asAdmin = async (query: string) => {
      const c = new pg.Client({ connectionString: target.url });
      await c.connect();
      try {
        await c.query(query);
      } finally {
        await c.end();
      }
    };
    // May create tables in the schema, not extensions in the database.
    await asAdmin(`create role ${role} login; grant usage, create on schema public to ${role}`);
    const url = new URL(target.url);
    url.username = role;
    const db = openDatabase({ kind: "postgres", url: url.toString() });
    try {
      await assert.rejects(migrateToLatest(db), /run `create extension unaccent;` in this database as its owner or a superuser/);
      await asAdmin("create extension unaccent");
      await migrateToLatest(db);
      await upsertPapers(db, [paper(900, "Réseaux de neurones", ["Élodie Dupré"])]);
      assert.equal((await authorCandidates(db, "elodie dupre", 10)).length, 1);
    } finally {
      await db.destroy();
      await drop();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop role if exists ${role}`);
      await c.end();
    }
  });
}

