import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase } from "../../test/databases.js";
import { ArxivFixtureServer } from "../../test/arxiv.fixture-server.js";
import { PoliteHttp } from "./arxiv.client.js";
import { harvest, setSpecFor } from "./harvest.js";
import { OaiClient, type ListRecordsParams, type OaiHarvestPage } from "./oai.client.js";
import { countPapers, findPaperByArxivId, upsertPapers } from "../papers/papers.queries.js";
import { isNewAnnouncement } from "./arxiv.service.js";

it("categories map to arXiv's OAI sets", () => {
  assert.equal(setSpecFor("cs.LG"), "cs:cs:LG");
  assert.equal(setSpecFor("math.GT"), "math:math:GT");
  assert.equal(setSpecFor("hep-th"), "physics:hep-th");
  assert.equal(setSpecFor("cond-mat.str-el"), "physics:cond-mat:str-el");
  assert.equal(setSpecFor("cs"), "cs");
});

/** A client that dies after its first page, like a harvest process killed mid-run. */
class DyingClient extends OaiClient {
  override async *listRecords(params: ListRecordsParams): AsyncGenerator<OaiHarvestPage, void, undefined> {
    for await (const page of super.listRecords(params)) {
      yield page;
      throw new Error("killed");
    }
  }
}

eachDatabase("harvest", (t) => {
  const server = new ArxivFixtureServer();
  let http: PoliteHttp;
  before(async () => {
    await server.start();
    http = new PoliteHttp({ minIntervalMs: 5, backoffBaseMs: 5, maxAttempts: 2, timeoutMs: 2000 });
  });
  after(() => server.close());

  it("a run killed midway resumes from its resumption token without loss or duplicates", async () => {
    const { db } = t();
    const dying = new DyingClient({ baseUrl: server.oaiUrl, http });
    await assert.rejects(harvest(db, dying, { categories: ["cs.CV"], from: "2025-07-01", metadataPrefix: "arXiv" }), /killed/);
    const state = await db.selectFrom("harvest_state").selectAll().where("set_spec", "=", "cs:cs:CV").executeTakeFirstOrThrow();
    assert.equal(state.resumption_token, "7093551|1001");
    assert.equal(state.token_from, "2025-07-01");
    assert.equal(await countPapers(db), 1);

    const before = server.requests.length;
    const client = new OaiClient({ baseUrl: server.oaiUrl, http });
    const s = await harvest(db, client, { categories: ["cs.CV", "cs.GT"], from: "2025-07-01", metadataPrefix: "arXiv" });
    // cs.CV resumed with the token (one request, page 2); cs.GT harvested both pages.
    assert.equal(server.requests[before].query.resumptionToken, "7093551|1001");
    assert.equal(s.pages, 3);
    assert.equal(await countPapers(db), 2);
    assert.ok(await findPaperByArxivId(db, "2506.22556"));
    const gt = await findPaperByArxivId(db, "2506.23134");
    assert.equal(gt?.journal_ref, "Dynamic Games and Applications 15 (2025) 101-130");
    // The record without a title was reported and skipped, never stored half.
    assert.ok(s.skipped >= 1);
    assert.equal(await findPaperByArxivId(db, "2506.23001"), undefined);
    const done = await db.selectFrom("harvest_state").selectAll().orderBy("set_spec").execute();
    assert.deepEqual(done.map((r) => [r.set_spec, r.last_datestamp, r.resumption_token]), [
      ["cs:cs:CV", "2025-07-02", null],
      ["cs:cs:GT", "2025-07-02", null],
    ]);
    // Another run continues from the checkpoint and duplicates nothing.
    const again = await harvest(db, client, { categories: ["cs.CV"], from: "2020-01-01", metadataPrefix: "arXiv" });
    assert.equal(server.requests[server.requests.length - 2].query.from, "2025-07-02");
    assert.equal(again.inserted, 0);
    assert.equal(await countPapers(db), 2);
  });

  it("an expired token restarts the list from its date", async () => {
    const { db } = t();
    await db.insertInto("harvest_state").values({ set_spec: "cs:cs:GR", last_datestamp: null, resumption_token: "expired|1", token_from: "2025-06-30", updated_at: new Date().toISOString() }).execute();
    const client = new OaiClient({ baseUrl: server.oaiUrl, http });
    const logs: string[] = [];
    await harvest(db, client, { categories: ["cs.GR"], from: "2025-01-01", metadataPrefix: "arXiv", log: (m) => logs.push(m) });
    assert.ok(logs.some((l) => /expired; restarting from 2025-06-30/.test(l)));
    const st = await db.selectFrom("harvest_state").selectAll().where("set_spec", "=", "cs:cs:GR").executeTakeFirstOrThrow();
    assert.equal(st.resumption_token, null);
  });

  it("arXivRaw gives exact versions; a newer version updates; new announcements can enter the feed", async () => {
    const { db } = t();
    const client = new OaiClient({ baseUrl: server.oaiUrl, http });
    const v1 = new Date("2025-06-28T12:37:11.000Z");
    await upsertPapers(db, [{ paper: { arxivId: "2506.22871", version: 1, title: "P2U (v1)", abstract: "Old abstract.", authors: ["H. A."], categories: ["cs.LG"], comment: null, journalRef: null, doi: null, firstVersionAt: v1, latestVersionAt: v1 }, listingDates: [] }]);
    const s = await harvest(db, client, {
      categories: ["cs.LG", "cs.CG"],
      from: "2025-07-01",
      metadataPrefix: "arXivRaw",
      feedDay: (d) => d,
      isNew: isNewAnnouncement,
    });
    assert.equal(s.skipped >= 1, true, "the record with a broken date is skipped");
    assert.equal(s.updated, 1);
    const p = await findPaperByArxivId(db, "2506.22871");
    assert.equal(p?.version, 3);
    assert.equal(p?.latest_version_at, "2025-07-01T08:00:00.000Z");
    assert.equal(p?.first_version_at, "2025-06-28T12:37:11.000Z");
    // An old paper (0704.0002, first version 2007) is stored but not announced as new; a v3 is not new either.
    assert.ok(await findPaperByArxivId(db, "0704.0002"));
    const entries = await db.selectFrom("daily_entries").selectAll().execute();
    assert.equal(entries.length, 0);
  });

  it("with auto-feed, a newly announced paper enters the feed on its announcement day", async () => {
    const { db } = t();
    await db.deleteFrom("harvest_state").execute();
    const client = new OaiClient({ baseUrl: server.oaiUrl, http });
    const s = await harvest(db, client, { categories: ["cs.CV"], from: "2025-07-01", metadataPrefix: "arXiv", feedDay: (d) => d, isNew: isNewAnnouncement });
    assert.equal(s.featured, 1);
    const entry = await db.selectFrom("daily_entries as e").innerJoin("papers as p", "p.id", "e.paper_id").select(["p.arxiv_id", "e.day", "e.source"]).execute();
    assert.deepEqual(entry, [{ arxiv_id: "2506.22556", day: "2025-07-01", source: "harvest" }]);
    // Harvesting the same announcements again adds nothing to the feed.
    await db.deleteFrom("harvest_state").execute();
    const again = await harvest(db, client, { categories: ["cs.CV"], from: "2025-07-01", metadataPrefix: "arXiv", feedDay: (d) => d, isNew: isNewAnnouncement });
    assert.equal(again.featured, 0);
  });

  it("a malformed page fails the run with the reason and stores nothing of it", async () => {
    const { db } = t();
    const before = await countPapers(db);
    const client = new OaiClient({ baseUrl: server.oaiUrl, http });
    // The fixture server answers the "broken" set with a cut-off page.
    await assert.rejects(harvest(db, client, { categories: ["broken"], from: "2025-07-01", metadataPrefix: "arXiv" }), /not usable|malformed|broken/i);
    assert.equal(await countPapers(db), before);
  });
});
