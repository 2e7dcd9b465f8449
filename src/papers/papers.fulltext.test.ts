import { it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { eachDatabase } from "../../test/databases.js";
import { fullTextSearch } from "./papers.fulltext.js";
import { findPaperByArxivId, upsertPapers } from "./papers.queries.js";
import type { ImportedPaper } from "./paper.js";

function paper(n: number, title: string): ImportedPaper {
  const at = new Date("2025-06-02T10:00:00.000Z");
  return {
    paper: {
      arxivId: `2506.${String(30000 + n)}`, version: 1, title, abstract: `Abstract number ${n}, on a topic of its own.`,
      authors: [`Author ${n}`], categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: at, latestVersionAt: at,
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
});
