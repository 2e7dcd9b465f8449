import { before, after, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

eachDatabase("HF-compatible API", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, [...FEED_FIXTURES, "test/fixtures/import/kaggle.jsonl"]);
  });
  after(() => app.close());

  it("/api/daily_papers returns items in Hugging Face's shape", async () => {
    const res = await app.inject("/api/daily_papers?date=2025-03-25");
    assert.equal(res.statusCode, 200);
    const items = res.json();
    assert.equal(items.length, 1);
    const it0 = items[0];
    assert.deepEqual(Object.keys(it0).sort(), ["isAuthorParticipating", "numComments", "paper", "publishedAt", "submittedBy", "summary", "thumbnail", "title"]);
    assert.equal(it0.paper.id, "2503.99901");
    assert.deepEqual(it0.paper.authors[0], { name: "Ada One", hidden: false });
    assert.match(it0.paper.publishedAt, ISO_MS);
    assert.match(it0.paper.submittedOnDailyAt, ISO_MS);
    assert.equal(typeof it0.paper.upvotes, "number");
    assert.equal(typeof it0.paper.discussionId, "string");
    assert.deepEqual(Object.keys(it0.submittedBy).sort(), ["avatarUrl", "fullname", "type", "user"]);
    assert.equal(it0.paper.submittedOnDailyBy.user, it0.submittedBy.user);
    assert.match(it0.thumbnail, /^http:\/\/papers\.test\/papers\/2503\.99901\/thumbnail\.svg$/);
    assert.equal(it0.paper.summary, it0.summary);
  });

  it("week, month, paging, limit and the default latest day", async () => {
    assert.equal((await app.inject("/api/daily_papers?week=2025-W12")).json().length, 5);
    assert.equal((await app.inject("/api/daily_papers?month=2025-03")).json().length, 6);
    const p0 = (await app.inject("/api/daily_papers?month=2025-03&limit=4&p=0")).json();
    const p1 = (await app.inject("/api/daily_papers?month=2025-03&limit=4&p=1")).json();
    assert.equal(p0.length, 4);
    assert.equal(p1.length, 2);
    const seen = new Set([...p0, ...p1].map((x: { paper: { id: string } }) => x.paper.id));
    assert.equal(seen.size, 6);
    const latest = (await app.inject("/api/daily_papers")).json();
    assert.deepEqual(latest.map((x: { paper: { id: string } }) => x.paper.id), ["2503.99901"]);
    const trending = await app.inject("/api/daily_papers?month=2025-03&sort=trending");
    assert.equal(trending.statusCode, 200);
    assert.equal((await app.inject("/api/daily_papers?month=2025-03&submitter=nobody")).json().length, 0);
  });

  it("bad parameters get a 400 with a message", async () => {
    const cases: Array<[string, RegExp]> = [
      ["date=2025-3-1", /date: .*YYYY-MM-DD/],
      ["date=2025-02-30", /not a real calendar date/],
      ["week=2025-W54", /week 54 does not exist/],
      ["month=2025-13", /month 13/],
      ["limit=0", /limit must be a whole number from 1 to 100/],
      ["limit=1000", /limit must be/],
      ["limit=abc", /limit must be/],
      ["p=-1", /p must be/],
      ["sort=hot", /sort must be publishedAt or trending/],
      ["date=2025-03-25&week=2025-W12", /at most one of date, week and month/],
    ];
    for (const [qs, msg] of cases) {
      const res = await app.inject(`/api/daily_papers?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.match(res.json().error, msg, qs);
    }
  });

  it("/api/papers/:id returns a paper, accepts versions and old-style ids, 404 otherwise", async () => {
    const p = (await app.inject("/api/papers/2503.11731v2")).json();
    assert.equal(p.id, "2503.11731");
    assert.equal(p.publishedAt, "2025-03-18T17:59:59.000Z");
    assert.ok(Array.isArray(p.authors));
    const old = await app.inject("/api/papers/hep-th/9901001");
    assert.equal(old.statusCode, 200);
    assert.equal(old.json().id, "hep-th/9901001");
    assert.equal(old.json().submittedOnDailyAt, undefined);
    const missing = await app.inject("/api/papers/2503.00002");
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error, /not found/);
    assert.equal((await app.inject("/api/papers/garbage")).statusCode, 404);
  });

  it("/api/papers lists every paper with keyset pagination", async () => {
    const ids: string[] = [];
    let url: string | null = "/api/papers?limit=3";
    let pages = 0;
    while (url && pages < 10) {
      const res: { statusCode: number; headers: Record<string, unknown>; json(): Array<{ id: string }> } = await app.inject(url);
      assert.equal(res.statusCode, 200);
      ids.push(...res.json().map((x) => x.id));
      const link = res.headers.link as string | undefined;
      url = link ? new URL(/<([^>]+)>/.exec(link)![1]).pathname + new URL(/<([^>]+)>/.exec(link)![1]).search : null;
      pages++;
    }
    assert.equal(ids.length, 7);
    assert.equal(new Set(ids).size, 7);
    assert.equal((await app.inject("/api/papers?cursor=bogus")).statusCode, 400);
    assert.equal((await app.inject("/api/papers?limit=101")).statusCode, 400);
  });

  it("/api/papers/search finds papers by keyword and never fails on odd input", async () => {
    const res = await app.inject("/api/papers/search?q=graph%20transformers");
    assert.equal(res.statusCode, 200);
    assert.equal(res.json()[0].paper.id, "2503.99901");
    for (const q of ["", "%22", "*", "NEAR(a b)", "-x", "((", "$\\mathcal{O}$", "日本語", "x".repeat(400)]) {
      const r = await app.inject(`/api/papers/search?q=${encodeURIComponent(q)}`);
      assert.equal(r.statusCode, 200, q);
      assert.ok(Array.isArray(r.json()));
    }
    assert.equal((await app.inject("/api/papers/search")).statusCode, 400);
    assert.equal((await app.inject("/api/papers/search?q=x&limit=121")).statusCode, 400);
  });
});
