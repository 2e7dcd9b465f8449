import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { eachDatabase } from "../../test/databases.js";
import { FEED_FIXTURES, testApp } from "../../test/app.js";
import { importFiles } from "../ingest/import.js";

eachDatabase("compression", (t) => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp(t()));
    await importFiles(t().db, FEED_FIXTURES);
  });
  after(() => app.close());

  it("a first view is gzipped for clients that accept it, identical once decoded", async () => {
    const plain = await app.inject({ url: "/papers/month/2025-03.json", headers: { cookie: "dp_x=1" } });
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.match(String(plain.headers.vary), /Accept-Encoding/);
    // A cookie keeps the page out of the cache: every answer below is rendered afresh.
    const zipped = await app.inject({ url: "/papers/month/2025-03.json", headers: { cookie: "dp_x=1", "accept-encoding": "br, gzip" } });
    assert.notEqual(zipped.headers["x-cache"], "hit");
    assert.equal(zipped.headers["content-encoding"], "gzip");
    assert.ok(zipped.rawPayload.length < plain.rawPayload.length);
    assert.equal(gunzipSync(zipped.rawPayload).toString(), plain.body);
    assert.equal(zipped.headers.etag, plain.headers.etag, "one weak ETag for both encodings");
  });

  it("small answers, 304s and clients without gzip get no compression", async () => {
    const small = await app.inject({ url: "/healthz", headers: { "accept-encoding": "gzip" } });
    assert.equal(small.statusCode, 200);
    assert.equal(small.headers["content-encoding"], undefined);
    assert.deepEqual(small.json(), { ok: true });
    const first = await app.inject({ url: "/papers/2503.99901", headers: { cookie: "dp_x=1" } });
    const notModified = await app.inject({ url: "/papers/2503.99901", headers: { cookie: "dp_x=1", "accept-encoding": "gzip", "if-none-match": String(first.headers.etag) } });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.headers["content-encoding"], undefined);
    assert.equal(notModified.rawPayload.length, 0);
    const identity = await app.inject({ url: "/papers/2503.99901", headers: { cookie: "dp_x=1", "accept-encoding": "identity" } });
    assert.equal(identity.headers["content-encoding"], undefined);
    assert.equal(identity.body, first.body);
  });
});
