import { after, before, it } from "node:test";
import assert from "node:assert/strict";
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

  it("imported papers get their trending score from the feed day", async () => {
    await refreshTrendingScores(t().db);
    const p = await paper();
    assert.equal(p.trending_score, trendingScore(0, 0, new Date("2025-03-25T00:00:00.000Z")));
    assert.equal(await refreshTrendingScores(t().db), 0, "idempotent");
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
});
