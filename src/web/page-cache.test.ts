import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { openDatabase } from "../db/database.js";
import { importFiles } from "../ingest/import.js";
import { PageCache } from "./page-cache.js";
import { gunzipSync } from "node:zlib";

it("the LRU drops the least recently used entry and entries of another version", () => {
  const c = new PageCache(2);
  c.set("a", { version: "1", body: Buffer.from("A"), contentType: "text/html", etag: "x" });
  c.set("b", { version: "1", body: Buffer.from("B"), contentType: "text/html", etag: "x" });
  assert.equal(c.get("a", "1")?.body.toString(), "A");
  c.set("c", { version: "1", body: Buffer.from("C"), contentType: "text/html", etag: "x" });
  assert.equal(c.get("b", "1"), null);
  assert.equal(c.get("a", "2"), null);
  assert.equal(c.get("a", "1"), null, "a stale entry is dropped on sight");
  assert.equal(c.size, 1);
});

eachDatabase("page cache", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, FEED_FIXTURES);
  });
  after(() => app.close());

  it("serves repeat anonymous requests from the cache", async () => {
    const a = await app.inject("/papers/date/2025-03-25");
    assert.notEqual(a.headers["x-cache"], "hit");
    const b = await app.inject("/papers/date/2025-03-25");
    assert.equal(b.headers["x-cache"], "hit");
    assert.equal(b.body, a.body);
    const j = await app.inject("/papers/date/2025-03-25.json");
    assert.equal(j.json().from, "2025-03-25", "formats are cached apart");
  });

  it("a hit keeps the ETag and security headers, answers 304, and gzips for clients that accept it", async () => {
    const first = await app.inject("/papers/month/2025-03");
    const hit = await app.inject({ url: "/papers/month/2025-03", headers: { "accept-encoding": "gzip, br" } });
    assert.equal(hit.headers["x-cache"], "hit");
    assert.equal(hit.headers.etag, first.headers.etag);
    assert.equal(hit.headers["content-encoding"], "gzip");
    assert.equal(hit.headers["x-frame-options"], "DENY");
    assert.match(String(hit.headers["content-security-policy"]), /default-src 'self'/);
    assert.equal(gunzipSync(hit.rawPayload).toString(), first.body);
    const notModified = await app.inject({ url: "/papers/month/2025-03", headers: { "if-none-match": String(first.headers.etag) } });
    assert.equal(notModified.statusCode, 304);
  });

  it("a write through this process shows at the next request", async () => {
    await app.inject("/api/daily_papers?date=2025-03-25");
    await t().db.updateTable("papers").set({ upvotes: 41 }).where("arxiv_id", "=", "2503.99901").execute();
    const r = await app.inject("/api/daily_papers?date=2025-03-25");
    assert.notEqual(r.headers["x-cache"], "hit");
    assert.equal(r.json()[0].paper.upvotes, 41);
  });

  it("a write by another process (another connection) shows at the next request", async () => {
    await app.inject("/papers/2503.99901");
    assert.equal((await app.inject("/papers/2503.99901")).headers["x-cache"], "hit");
    const other = openDatabase(t().target);
    try {
      await other.updateTable("papers").set({ title: "Graph transformers, revised" }).where("arxiv_id", "=", "2503.99901").execute();
    } finally {
      await other.destroy();
    }
    const r = await app.inject("/papers/2503.99901");
    assert.notEqual(r.headers["x-cache"], "hit");
    assert.match(r.body, /Graph transformers, revised/);
  });

  it("visitors with a session or form cookie always get a fresh page", async () => {
    await app.inject("/papers/trending");
    const r = await app.inject({ url: "/papers/trending", headers: { cookie: "dp_session=whatever" } });
    assert.notEqual(r.headers["x-cache"], "hit");
  });
});

eachDatabase("page cache in front of the framework (a listening server)", (t) => {
  let app: FastifyInstance;
  let base = "";
  const log: Array<Record<string, unknown>> = [];
  before(async () => {
    ({ app } = await testApp(t(), {}, { logStream: { write: (line) => log.push(JSON.parse(line) as Record<string, unknown>) } }));
    await importFiles(t().db, FEED_FIXTURES);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  after(() => app.close());
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

  it("answers hits over HTTP with the page's headers, gzip and 304; formats apart", async () => {
    const before = { ...app.pageCache.hits };
    const first = await get("/papers/date/2025-03-25");
    const firstBody = await first.text();
    assert.notEqual(first.headers.get("x-cache"), "hit");
    const hit = await get("/papers/date/2025-03-25");
    assert.equal(hit.headers.get("x-cache"), "hit");
    assert.equal(await hit.text(), firstBody);
    assert.equal(hit.headers.get("etag"), first.headers.get("etag"));
    assert.equal(hit.headers.get("x-frame-options"), "DENY");
    // fetch() asks for gzip and decodes it.
    assert.equal(hit.headers.get("content-encoding"), "gzip");
    assert.equal((await get("/papers/date/2025-03-25", { "if-none-match": first.headers.get("etag")! })).status, 304);
    await get("/papers/date/2025-03-25.json");
    const json = await get("/papers/date/2025-03-25.json");
    assert.equal(json.headers.get("x-cache"), "hit");
    assert.equal((await json.json()).from, "2025-03-25");
    // Every hit was answered ahead of Fastify.
    assert.deepEqual(app.pageCache.hits, { frontDoor: before.frontDoor + 3, hook: before.hook });
    // ...and is in the request log all the same, as Fastify's own requests are.
    const hits = log.filter((l) => l.pageCache === "hit");
    assert.deepEqual(hits.map((l) => [(l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode]),
      [["/papers/date/2025-03-25", 200], ["/papers/date/2025-03-25", 304], ["/papers/date/2025-03-25.json", 200]]);
    for (const l of hits) assert.ok(l.msg === "request completed" && typeof l.responseTime === "number" && typeof l.reqId === "string");
    assert.equal((hits[0].req as { remoteAddress: string }).remoteAddress, "127.0.0.1");
    await get("/papers/date/2025-03-25", { "x-forwarded-for": "203.0.113.9, 10.0.0.1" });
    const forwarded = log.filter((l) => l.pageCache === "hit").at(-1)!;
    assert.equal((forwarded.req as { remoteAddress: string }).remoteAddress, "203.0.113.9", "the client a proxy forwarded for");
    assert.ok(log.some((l) => l.msg === "request completed" && l.pageCache === undefined), "misses are logged by Fastify");
  });

  it("a write from another connection shows at the next request; cookies and POSTs pass through", async () => {
    await get("/papers/2503.99901");
    assert.equal((await get("/papers/2503.99901")).headers.get("x-cache"), "hit");
    const other = openDatabase(t().target);
    try {
      await other.updateTable("papers").set({ title: "Graph transformers, front door" }).where("arxiv_id", "=", "2503.99901").execute();
    } finally {
      await other.destroy();
    }
    const fresh = await get("/papers/2503.99901");
    assert.notEqual(fresh.headers.get("x-cache"), "hit");
    assert.match(await fresh.text(), /Graph transformers, front door/);
    assert.equal((await get("/papers/2503.99901")).headers.get("x-cache"), "hit");
    assert.notEqual((await get("/papers/2503.99901", { cookie: "dp_session=whatever" })).headers.get("x-cache"), "hit");
    const post = await fetch(`${base}/papers/2503.99901`, { method: "POST" });
    assert.notEqual(post.headers.get("x-cache"), "hit");
    assert.equal((await get("/no/such/page")).status, 404);
  });
});
