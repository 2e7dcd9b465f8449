import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";
import { trendingScore } from "../ranking/trending.js";
import { refreshTrendingScores } from "./trending.queries.js";
import { setVote } from "./votes.queries.js";
import { Client, makeUser, NO_PASSWORD } from "./testing.js";

const PAPER = "2503.99901"; // featured on 2025-03-25 in the fixture

eachDatabase("votes", (t) => {
  let app: FastifyInstance;
  let paperId: number;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, FEED_FIXTURES);
    paperId = (await t().db.selectFrom("papers").select("id").where("arxiv_id", "=", PAPER).executeTakeFirstOrThrow()).id;
  });
  after(() => app.close());

  const paper = () => t().db.selectFrom("papers").selectAll().where("id", "=", paperId).executeTakeFirstOrThrow();

  it("imported papers enter the feed with their trending score; a refresh pages through any left at 0", async () => {
    const expected = trendingScore(0, 0, new Date("2025-03-25T00:00:00.000Z"));
    assert.equal((await paper()).trending_score, expected, "stored with the row, no refresh needed");
    assert.equal(await refreshTrendingScores(t().db), 0, "nothing left to score");
    // As a database imported before scores came with the rows holds them: all at 0.
    const featured = (await t().db.selectFrom("daily_entries").select("paper_id").execute()).map((r) => r.paper_id);
    assert.ok(featured.length > 2);
    await t().db.updateTable("papers").set({ trending_score: 0 }).execute();
    assert.equal(await refreshTrendingScores(t().db, undefined, { pageSize: 2 }), featured.length);
    assert.equal((await paper()).trending_score, expected);
    assert.equal(await refreshTrendingScores(t().db), 0, "idempotent");
    // By ids, in pages too; ids given twice or not featured change nothing more.
    await t().db.updateTable("papers").set({ trending_score: 0 }).execute();
    const all = (await t().db.selectFrom("papers").select("id").execute()).map((r) => r.id);
    assert.equal(await refreshTrendingScores(t().db, [...all, ...all], { pageSize: 2 }), featured.length);
    const rows = await t().db.selectFrom("papers as p").innerJoin("daily_entries as e", "e.paper_id", "p.id")
      .select(["p.trending_score", "e.day"]).execute();
    for (const r of rows) assert.equal(r.trending_score, trendingScore(0, 0, new Date(`${r.day}T00:00:00.000Z`)));
  });

  it("a form post upvotes, a second removes it; count and score are stored with the vote", async () => {
    const user = await makeUser(t().db);
    const c = await new Client(app).signInAs(t().db, user.id);
    const page = await c.get(`/papers/${PAPER}`);
    assert.match(page.body, new RegExp(`<form method="post" action="/upvote/${PAPER}" class="vote-form"`));
    assert.match(page.body, /aria-pressed="false"/);

    const up = await c.post(`/upvote/${PAPER}`, { vote: "1", return_to: "/papers/date/2025-03-25" });
    assert.equal(up.statusCode, 303);
    assert.equal(up.headers.location, "/papers/date/2025-03-25");
    let p = await paper();
    assert.equal(p.upvotes, 1);
    assert.equal(p.trending_score, trendingScore(1, 0, new Date("2025-03-25T00:00:00.000Z")));
    const feed = await c.get("/papers/date/2025-03-25");
    assert.match(feed.body, /aria-pressed="true"/);

    // Voting again is idempotent; 0 removes; a toggle without a value flips.
    assert.equal((await c.post(`/upvote/${PAPER}`, { vote: "1" }, { json: true })).json().upvotes, 1);
    const off = await c.post(`/upvote/${PAPER}`, { vote: "0" }, { json: true });
    assert.deepEqual(off.json(), { paper: PAPER, upvoted: false, upvotes: 0 });
    p = await paper();
    assert.equal(p.trending_score, trendingScore(0, 0, new Date("2025-03-25T00:00:00.000Z")));
    const toggled = await c.post(`/upvote/${PAPER}`, {}, { json: true });
    assert.deepEqual(toggled.json(), { paper: PAPER, upvoted: true, upvotes: 1 });
    await c.post(`/upvote/${PAPER}`, {}, { json: true });
    assert.equal((await paper()).upvotes, 0);
  });

  it("refuses anonymous votes (401), unknown papers (404), bad values (400) and forged posts (403)", async () => {
    const anon = await new Client(app).post(`/upvote/${PAPER}`, { vote: "1" }, { json: true });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.json().error, "Log in to upvote papers.");
    const c = await new Client(app).signInAs(t().db, (await makeUser(t().db)).id);
    assert.equal((await c.post("/upvote/2503.00002", { vote: "1" }, { json: true })).statusCode, 404);
    assert.equal((await c.post(`/upvote/${PAPER}`, { vote: "2" }, { json: true })).statusCode, 400);
    assert.equal((await c.post(`/upvote/${PAPER}`, { vote: "1" }, { csrf: false })).statusCode, 403);
    assert.equal((await paper()).upvotes, 0);
    // GET never votes.
    assert.equal((await c.get(`/upvote/${PAPER}`)).statusCode, 404);
  });

  it("1,000 concurrent upvotes by 1,000 different users give exactly 1,000", async () => {
    const now = new Date().toISOString();
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      username: `voter${i}`, email: `voter${i}@example.org`, display_name: `voter${i}`, password_hash: NO_PASSWORD, role: "reader", created_at: now, email_confirmed_at: now, banned_at: null,
    }));
    const ids = (await t().db.insertInto("users").values(rows).returning("id").execute()).map((r) => r.id);
    assert.equal(ids.length, 1000);
    const results = await Promise.all(ids.map((id) => setVote(t().db, id, paperId, true, new Date())));
    assert.ok(results.every((r) => r.upvoted));
    const p = await paper();
    assert.equal(p.upvotes, 1000);
    const counted = await t().db.selectFrom("votes").select((eb) => eb.fn.countAll<number>().as("n")).where("paper_id", "=", paperId).executeTakeFirstOrThrow();
    assert.equal(Number(counted.n), 1000);
    assert.equal(p.trending_score, trendingScore(1000, 0, new Date("2025-03-25T00:00:00.000Z")));
    // ... and 1,000 concurrent removals bring it back to exactly 0, while one user racing
    // themselves 20 times counts once.
    await Promise.all(ids.map((id) => setVote(t().db, id, paperId, false, new Date())));
    assert.equal((await paper()).upvotes, 0);
    await Promise.all(Array.from({ length: 20 }, () => setVote(t().db, ids[0], paperId, true, new Date())));
    assert.equal((await paper()).upvotes, 1);
  });

  it("the trending page orders by the stored score: votes lift a paper", async () => {
    const before = (await app.inject("/papers/trending.json")).json();
    const last = before.papers.at(-1).paper.id as string;
    const had = before.papers.at(-1).paper.upvotes as number;
    const lastId = (await t().db.selectFrom("papers").select("id").where("arxiv_id", "=", last).executeTakeFirstOrThrow()).id;
    const voters = await Promise.all(Array.from({ length: 30 }, () => makeUser(t().db)));
    for (const v of voters) await setVote(t().db, v.id, lastId, true, new Date());
    const afterVotes = (await app.inject("/papers/trending.json")).json();
    assert.equal(afterVotes.papers[0].paper.id, last);
    assert.equal(afterVotes.papers[0].paper.upvotes, had + 30);
    const api = (await app.inject("/api/daily_papers?month=2025-03&sort=trending")).json();
    assert.equal(api[0].paper.id, last);
  });

  it("a newer version of a voted paper updates its metadata and keeps the score its votes gave it", async () => {
    const voter = await makeUser(t().db);
    await setVote(t().db, voter.id, paperId, true, new Date());
    const voted = await paper();
    assert.ok(voted.trending_score > trendingScore(0, 0, new Date("2025-03-25T00:00:00.000Z")));
    const dir = mkdtempSync(join(tmpdir(), "dp-vote-"));
    writeFileSync(join(dir, "v2.jsonl"), `${JSON.stringify({
      id: PAPER, title: "Graph transformers, revised", abstract: "A revised abstract.", authors: "Ada One, Bo Two",
      categories: "cs.LG", versions: [{ version: "v1", created: "Mon, 24 Mar 2025 10:00:00 GMT" }, { version: "v2", created: "Tue, 1 Apr 2025 10:00:00 GMT" }],
    })}\n`);
    const s = await importFiles(t().db, [dir]);
    assert.equal(s.updated, 1);
    const now = await paper();
    assert.equal(now.version, 2);
    assert.equal(now.title, "Graph transformers, revised");
    assert.equal(now.trending_score, voted.trending_score);
    // A refresh by id stores the same score to the last bit (a vote's log10 is no round number).
    await t().db.updateTable("papers").set({ trending_score: 0 }).where("id", "=", paperId).execute();
    assert.equal(await refreshTrendingScores(t().db, [paperId]), 1);
    assert.equal((await paper()).trending_score, voted.trending_score);
    assert.equal(await refreshTrendingScores(t().db, [paperId]), 0, "idempotent");
  });
});
