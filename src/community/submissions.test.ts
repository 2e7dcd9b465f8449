import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { eachDatabase } from "../../test/databases.js";
import { testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";
import type { PaperRecord } from "../papers/paper.js";
import { upsertPapers } from "../papers/papers.queries.js";
import { trendingScore } from "../ranking/trending.js";
import { viewerOfSession } from "./accounts.queries.js";
import { sha256 } from "./secrets.js";
import { SESSION_COOKIE } from "./sessions.js";
import { submitPaper } from "./submissions.service.js";
import { Client, makeUser } from "./testing.js";

// 15:00 UTC on March 26 is still March 26 in New York: the feed day of submissions.
const NOW = new Date("2025-03-26T15:00:00.000Z");

function record(arxivId: string, firstVersion: string): PaperRecord {
  return {
    arxivId, version: 1, title: `Paper ${arxivId}`, abstract: "An abstract long enough to be an abstract.", authors: ["A. Author"], categories: ["cs.LG"],
    comment: null, journalRef: null, doi: null, firstVersionAt: new Date(firstVersion), latestVersionAt: new Date(firstVersion),
  };
}

eachDatabase("submissions", (t) => {
  let app: FastifyInstance;
  let ctx: AppContext;
  before(async () => {
    ({ app, ctx } = await testApp(t(), { SUBMIT_DAILY_LIMIT: "2", SUBMIT_MAX_AGE_DAYS: "14" }, { now: () => NOW }));
    await importFiles(t().db, ["test/fixtures/import/corpus.jsonl", "test/fixtures/import/kaggle.jsonl"]);
    await upsertPapers(t().db, ["2503.20001", "2503.20002", "2503.20003", "2503.20004", "2503.20005"].map((id) => ({ paper: record(id, "2025-03-24T10:00:00.000Z"), listingDates: [] })));
  });
  after(() => app.close());

  it("a reader submits by URL: the paper enters today's feed with 'submitted by' and a trending score", async () => {
    const alice = await makeUser(t().db, { username: "alice" });
    const c = await new Client(app).signInAs(t().db, alice.id);
    const form = await c.get("/submit");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<form method="post" action="\/submit"/);
    const res = await c.post("/submit", { paper: "https://arxiv.org/abs/2503.20001v2" });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/papers/2503.20001");
    const entry = await t().db.selectFrom("daily_entries as e").innerJoin("papers as p", "p.id", "e.paper_id").select(["e.day", "e.source", "e.submitted_by", "p.trending_score"]).where("p.arxiv_id", "=", "2503.20001").executeTakeFirstOrThrow();
    assert.deepEqual({ day: entry.day, source: entry.source, by: entry.submitted_by }, { day: "2025-03-26", source: "submission", by: alice.id });
    assert.equal(entry.trending_score, trendingScore(0, 0, new Date("2025-03-26T00:00:00.000Z")));
    const day = await c.get("/papers/date/2025-03-26");
    assert.match(day.body, /Submitted by <a href="\/u\/alice">alice<\/a>/);
    const api = (await app.inject("/api/daily_papers?date=2025-03-26")).json();
    assert.equal(api.length, 1);
    assert.equal(api[0].paper.submittedOnDailyBy.user, "alice");
    assert.equal(api[0].submittedBy.user, "alice");
    assert.equal(api[0].paper.submittedOnDailyAt, NOW.toISOString());
    assert.equal((await app.inject("/api/daily_papers?month=2025-03&submitter=alice")).json().length, 1);
    assert.equal((await app.inject("/api/daily_papers?month=2025-03&submitter=nobody")).json().length, 0);
  });

  it("each rule has its own message: unknown, not an id, already in a feed, too old, daily quota", async () => {
    const bob = await makeUser(t().db, { username: "bob" });
    const c = await new Client(app).signInAs(t().db, bob.id);
    const unknown = await c.post("/submit", { paper: "2503.00002" });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /We do not have arXiv:2503.00002 yet/);
    assert.match(unknown.body, /value="2503.00002"/, "the form keeps what was typed");
    const junk = await c.post("/submit", { paper: "not a paper" }, { json: true });
    assert.equal(junk.statusCode, 400);
    assert.match(junk.json().error, /is not an arXiv id or URL/);
    const again = await c.post("/submit", { paper: "2503.20001" }, { json: true });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error, "arXiv:2503.20001 is already in the feed of 2025-03-26.");
    const old = await c.post("/submit", { paper: "hep-th/9901001" }, { json: true });
    assert.equal(old.statusCode, 400);
    assert.match(old.json().error, /first appeared \d+ days ago \(1999-01-01\); only papers from the last 14 days can be submitted/);
    // The JSON endpoint: 201 with the HF-shaped item.
    const ok = await c.post("/api/submissions", { paper: "2503.20002" });
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json().paper.id, "2503.20002");
    assert.equal(ok.json().paper.submittedOnDailyBy.user, "bob");
    assert.equal((await c.post("/submit", { paper: "2503.20003" }, { json: true })).statusCode, 201);
    const quota = await c.post("/submit", { paper: "2503.20004" }, { json: true });
    assert.equal(quota.statusCode, 429);
    assert.match(quota.json().error, /submitted 2 papers today, the most one person may per day/);
  });

  it("submissions at the same moment never pass the daily quota", async () => {
    const ids = ["2503.20011", "2503.20012", "2503.20013", "2503.20014"];
    await upsertPapers(t().db, ids.map((id) => ({ paper: record(id, "2025-03-24T10:00:00.000Z"), listingDates: [] })));
    const dana = await makeUser(t().db, { username: "dana" });
    const c = await new Client(app).signInAs(t().db, dana.id);
    const results = await Promise.all(ids.map((paper) => c.post("/submit", { paper }, { json: true })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 201, 429, 429]);
    const stored = await t().db.selectFrom("daily_entries").select("id").where("submitted_by", "=", dana.id).execute();
    assert.equal(stored.length, 2);
  });

  it("anonymous and banned users cannot submit; GET /submit sends visitors to log in", async () => {
    assert.equal((await new Client(app).post("/api/submissions", { paper: "2503.20004" })).statusCode, 401);
    const r = await new Client(app).get("/submit");
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, "/login?next=/submit");
    const banned = await makeUser(t().db);
    await t().db.updateTable("users").set({ banned_at: NOW.toISOString() }).where("id", "=", banned.id).execute();
    const c = await new Client(app).signInAs(t().db, banned.id);
    const res = await c.post("/api/submissions", { paper: "2503.20004" });
    assert.equal(res.statusCode, 403);
    assert.match(res.json().error, /suspended/);
  });

  it("an unknown paper is fetched through the pluggable hook", async () => {
    const u = await makeUser(t().db);
    const c = await new Client(app).signInAs(t().db, u.id);
    const viewer = (await viewerOfSession(t().db, sha256(c.cookies.get(SESSION_COOKIE)!), NOW))!;
    const asked: string[] = [];
    const { paper, day } = await submitPaper(ctx, viewer, { paper: "arXiv:2503.30001" }, {
      fetchUnknown: async (id) => {
        asked.push(id);
        return record(id, "2025-03-25T09:00:00.000Z");
      },
    });
    assert.deepEqual(asked, ["2503.30001"]);
    assert.equal(paper.arxiv_id, "2503.30001");
    assert.equal(day, "2025-03-26");
    await assert.rejects(submitPaper(ctx, viewer, { paper: "2503.30002" }, { fetchUnknown: async () => null }), /arXiv has no paper 2503.30002/);
  });

  it("curators feature a paper into a day ('featured by'), logged publicly; readers cannot", async () => {
    const reader = await new Client(app).signInAs(t().db, (await makeUser(t().db)).id);
    assert.equal((await reader.post("/feature/2503.20005", { day: "2025-03-25" }, { json: true })).statusCode, 403);
    const cur = await makeUser(t().db, { username: "carol", role: "curator" });
    const c = await new Client(app).signInAs(t().db, cur.id);
    assert.equal((await c.post("/feature/2503.20005", { day: "2025-03-27" }, { json: true })).statusCode, 400, "no future days");
    const res = await c.post("/feature/2503.20005", { day: "2025-03-25" });
    assert.equal(res.statusCode, 303);
    const page = await c.get("/papers/2503.20005");
    assert.match(page.body, /featured by <a href="\/u\/carol">carol<\/a>/);
    const log = await t().db.selectFrom("moderation_log").selectAll().where("action", "=", "feature_paper").execute();
    assert.equal(log.length, 1);
    assert.equal(log[0].moderator_id, cur.id);
    assert.equal((await c.post("/feature/2503.20005", {}, { json: true })).statusCode, 409);
  });
});
